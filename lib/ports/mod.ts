export { freePoolPorts, pickFreePort, poolPortProblem } from "./port_pool.ts";
export type { PortProbe, PortRange } from "./port_pool.ts";
export { ephemeralLow, portForChild, portInUse } from "./port_probe.ts";
