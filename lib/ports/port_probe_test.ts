import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { CHILD_PORTS_FROM, ephemeralLow, portForChild, portInUse } from "./port_probe.ts";

Deno.test("a child's port is never one in use, never excluded, and below the kernel's ephemeral range", () => {
  const low = ephemeralLow();
  const text = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range");
  assertEquals(low, Number(text.split(/\s+/)[0]), "the range this kernel uses");
  const even = new Set(Array.from({ length: low }, (_, i) => i).filter((p) => p % 2 === 0));
  // Every third odd port is "in use" for the probe given (nothing is bound: binding ports of
  // this range here would take them from the other tests' apps, which start meanwhile).
  const probed: number[] = [];
  const inUse = (port: number) => {
    probed.push(port);
    return port % 3 === 0;
  };
  for (let i = 0; i < 200; i++) {
    const port = portForChild(even, inUse);
    assert(port >= CHILD_PORTS_FROM && port < low, `${port} outside ${CHILD_PORTS_FROM}-${low}`);
    assert(port % 2 === 1, `${port} was excluded`);
    assert(port % 3 !== 0, `${port} is in use`);
  }
  assert(probed.some((port) => port % 3 === 0), "ports in use were met and passed over");
  assert(probed.every((port) => port % 2 === 1), "excluded ports are not even probed");
  // The real probe sees a listener.
  const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  assertEquals(portInUse((held.addr as Deno.NetAddr).port), true);
  held.close();
  // What the kernel picks by itself lies in its ephemeral range, where any outgoing connection
  // may take it next: the reason children's ports come from below it.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  assert((listener.addr as Deno.NetAddr).port >= low);
  listener.close();
});
