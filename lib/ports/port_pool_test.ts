import { assertEquals } from "../../tests/helpers/assert.ts";
import { freePoolPorts, pickFreePort, poolPortProblem } from "./port_pool.ts";
import { portInUse } from "./port_probe.ts";

const range = { start: 19001, end: 19005 };

Deno.test("free pool ports exclude ports held by instances", () => {
  assertEquals(freePoolPorts(range, new Set([19002, 19004])), [19001, 19003, 19005]);
});

Deno.test("a port outside the pool is refused with the pool in the reason", () => {
  assertEquals(
    poolPortProblem(range, 19006),
    "port 19006 is outside the instance port pool 19001-19005",
  );
  assertEquals(poolPortProblem(range, 19001), null);
});

Deno.test("allocation skips a port another process on the host listens on", () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busy = (listener.addr as Deno.NetAddr).port;
  try {
    assertEquals(portInUse(busy), true);
    const picked = pickFreePort({ start: busy, end: busy + 1 }, new Set(), portInUse);
    assertEquals(picked === busy, false);
  } finally {
    listener.close();
  }
});

Deno.test("a probe that finds the port free lets allocation take it", () => {
  // Whether a closed ephemeral port is still free is luck (parallel tests bind ports), so the
  // free case goes through the probe contract rather than a real port.
  assertEquals(pickFreePort({ start: 19001, end: 19002 }, new Set(), () => false), 19001);
  assertEquals(pickFreePort({ start: 19001, end: 19002 }, new Set(), (p) => p === 19001), 19002);
});

Deno.test("allocation returns null when the pool is exhausted", () => {
  assertEquals(
    pickFreePort(range, new Set([19001, 19002, 19003, 19004, 19005]), () => false),
    null,
  );
});
