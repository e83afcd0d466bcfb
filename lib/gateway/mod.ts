export { type BlueprintRouting, type RouteEntry, RouteTable } from "./route_table.ts";
export {
  type CheckRequest,
  decide,
  type Decision,
  type GatewaySettings,
} from "./gateway_decision.ts";
export {
  GATEWAY_PAGE_PATH,
  GatewayEndpoint,
  type GatewayEndpointDeps,
  LOGIN_RETURN_PATH,
} from "./gateway_endpoint.ts";
export { loginReturnTarget } from "./login_return.ts";
export { type WakeActor, WakeGate } from "./wake_gate.ts";
