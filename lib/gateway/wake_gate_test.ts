import { assertEquals } from "../../tests/helpers/assert.ts";
import { routeRecord } from "../nginx/testdata/gateway_fixture.ts";
import { createLogger } from "../log/mod.ts";
import { IDLE_STOP_NOTE } from "../shared/idle_stop.ts";
import { RouteTable } from "./route_table.ts";
import { WakeGate } from "./wake_gate.ts";

function setup(fail = false) {
  const wakes: number[] = [];
  const logs: string[] = [];
  let release = () => {};
  const gate = new WakeGate({
    now: () => 1000,
    wake: (id) => {
      wakes.push(id);
      return new Promise<void>((resolve, reject) => {
        release = () => (fail ? reject(new Error("disk full")) : resolve());
      });
    },
    logger: createLogger("warn", "gateway", (line) => logs.push(line)),
  });
  return { gate, wakes, logs, release: () => release() };
}

const table = new RouteTable();
table.upsert(
  routeRecord({
    id: 1,
    slug: "idle",
    port: 19001,
    appPort: null,
    status: "stopped",
    statusMessage: IDLE_STOP_NOTE,
  }),
);
table.upsert(routeRecord({ id: 2, slug: "parked", port: 19002, appPort: null, status: "stopped" }));
table.upsert(routeRecord({ id: 3, slug: "up", port: 19003, appPort: 40003 }));
const actor = { actor: "admin", client: null };
const entry = (id: number) => {
  const found = table.get(id);
  if (!found) throw new Error(`no entry ${id}`);
  return found;
};

Deno.test("many requests to an idle-stopped instance wake it once; others are never woken", async () => {
  const t = setup();
  const idle = entry(1);
  const answers = Array.from({ length: 20 }, () => t.gate.wake(idle, actor));
  assertEquals(answers.every(Boolean), true, "each request is told it is waking");
  assertEquals(t.gate.wake(entry(2), actor), false, "a user's stop does not wake");
  assertEquals(t.gate.wake(entry(3), actor), false, "a serving instance needs no wake");
  assertEquals(t.wakes, [1], "one wake for twenty requests");
  t.release();
  await t.gate.settled();
  t.gate.wake(idle, actor);
  assertEquals(t.wakes, [1, 1], "once the first ended, a later request may ask again");
  t.release();
  await t.gate.settled();
});

Deno.test("a failed wake is logged with the instance and does not stay in flight", async () => {
  const t = setup(true);
  t.gate.wake(entry(1), actor);
  t.release();
  await t.gate.settled();
  assertEquals(t.logs.length, 1);
  assertEquals(
    /wake on request failed id=1 error="disk full"/.test(t.logs[0] ?? ""),
    true,
    t.logs[0],
  );
  t.gate.seen(3);
  assertEquals([t.gate.lastRequest(3), t.gate.lastRequest(1)], [1000, null]);
});
