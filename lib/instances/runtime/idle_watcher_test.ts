import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { FakeClock, yieldTimes } from "../../../tests/helpers/fake_runtime.ts";
import { routeRecord } from "../../nginx/testdata/gateway_fixture.ts";
import type { InstanceRecord } from "../../db/mod.ts";
import { createLogger } from "../../log/mod.ts";
import { IdleWatcher } from "./idle_watcher.ts";
import { systemStats } from "../../../tests/helpers/system_stats.ts";
import type { SystemStats } from "../../shared/stats.ts";

const MINUTE = 60_000;

/** A watcher over in-memory rows, requests and connections, on a fake clock. */
function setup(rows: InstanceRecord[]) {
  const clock = new FakeClock();
  const requests = new Map<number, number>();
  const open = new Map<number, number>();
  const stops: number[] = [];
  const logs: string[] = [];
  let failStops = false;
  let beforeTurn = () => {};
  let activity: SystemStats | Error | null = null;
  const watcher = new IdleWatcher({
    activity: () =>
      activity instanceof Error ? Promise.reject(activity) : Promise.resolve(activity),
    records: () => rows,
    lastRequest: (id) => requests.get(id) ?? null,
    connections: (ports) => new Map([...ports].map((p) => [p, open.get(p) ?? 0])),
    stop: (id, stillIdle) => {
      if (failStops) return Promise.reject(new Error("database is locked"));
      beforeTurn();
      const record = rows.find((r) => r.id === id);
      if (!record || !stillIdle(record)) return Promise.resolve(false);
      stops.push(id);
      return Promise.resolve(true);
    },
    clock,
    timing: { minuteMs: MINUTE, checkEveryMs: 10_000 },
    logger: createLogger("warn", "idle", (line) => logs.push(line)),
  });
  return {
    clock,
    watcher,
    stops,
    logs,
    request: (id: number) => requests.set(id, clock.now()),
    open,
    failStops: (on: boolean) => (failStops = on),
    /** The figures the next looks see (an Error: they cannot be had). */
    activity: (next: SystemStats | Error | null) => (activity = next),
    /** Runs before the owner's turn (something happens while the stop waits in its queue). */
    beforeTurn: (fn: () => void) => (beforeTurn = fn),
  };
}

const app = (id: number, fields: Partial<InstanceRecord> = {}) =>
  routeRecord({
    id,
    slug: `app${id}`,
    port: 19000 + id,
    appPort: 40000 + id,
    idleStopMinutes: 2,
    startedAt: "run-1",
    ...fields,
  });

Deno.test("an instance is stopped only after its policy without a request or an open connection", async () => {
  const t = setup([app(1)]);
  assertEquals(await t.watcher.check(), [], "the first look starts the count");
  t.clock.advance(MINUTE);
  t.request(1);
  t.clock.advance(MINUTE + 59_000);
  assertEquals(await t.watcher.check(), [], "a request one minute in pushes the stop back");
  t.open.set(40001, 1);
  t.clock.advance(10 * MINUTE);
  assertEquals(await t.watcher.check(), [], "an open connection keeps it awake");
  t.open.set(40001, 0);
  t.clock.advance(2 * MINUTE - 1);
  assertEquals(await t.watcher.check(), [], "the count starts when the last connection closed");
  t.clock.advance(1);
  assertEquals(await t.watcher.check(), [1]);
});

Deno.test("a request while the stop waits for the owner cancels it; a new run counts afresh", async () => {
  const rows = [app(1)];
  const t = setup(rows);
  await t.watcher.check();
  t.clock.advance(2 * MINUTE);
  // The stop is asked for, but a request arrives before the owner's turn comes.
  t.beforeTurn(() => t.request(1));
  assertEquals(await t.watcher.check(), [], "stillIdle said no: a request came in");
  t.beforeTurn(() => {});
  rows[0] = app(1, { startedAt: "run-2" });
  t.clock.advance(2 * MINUTE - 1);
  assertEquals(await t.watcher.check(), [], "a new run starts the count afresh");
  t.clock.advance(2 * MINUTE);
  assertEquals(await t.watcher.check(), [1]);
});

Deno.test("instances without a policy, not serving, or in desktop mode are never stopped", async () => {
  const t = setup([
    app(1, { idleStopMinutes: null }),
    app(2, { status: "starting" }),
    app(3, { status: "stopped", appPort: null }),
    app(4, { persistentMode: true }),
    app(5, { invalidReason: "slug: bad" }),
    app(6, { status: "stalled" }),
  ]);
  await t.watcher.check();
  t.clock.advance(100 * MINUTE);
  assertEquals(await t.watcher.check(), [6], "only the serving (stalled) one with a policy");
});

Deno.test("the watcher looks on its period, logs a failed stop with the instance, and stops looking at close", async () => {
  const t = setup([app(7)]);
  t.failStops(true);
  t.watcher.start();
  for (let i = 0; i < 13; i++) {
    t.clock.advance(10_000);
    await yieldTimes(5);
  }
  assert(
    t.logs.some((line) => /idle stop failed id=7 slug=app7 .*database is locked/.test(line)),
    t.logs.join("\n"),
  );
  t.failStops(false);
  t.clock.advance(10_000);
  await yieldTimes(5);
  assertEquals(t.stops, [7], "the next look still came and stopped it");
  await t.watcher.close();
  assertEquals(t.clock.pendingTimers, 0, "no look is scheduled after close");
});

Deno.test("an app that works (CPU) with no request or connection is not idle; once it rests, it is", async () => {
  const t = setup([app(1)]);
  await t.watcher.check();
  const busy = systemStats({
    instances: { "1": { cpu_percent: 100, rss_bytes: 1, vram_bytes: null, vram_per_gpu: null } },
  });
  t.activity(busy);
  t.clock.advance(10 * MINUTE);
  assertEquals(await t.watcher.check(), [], "a queued batch keeps it awake");
  t.activity(new Error("NVML hung"));
  t.clock.advance(MINUTE);
  assertEquals(await t.watcher.check(), [], "no figures: the count goes on from the last work");
  assertEquals(t.logs.filter((l) => l.includes("no resource figures")).length, 1);
  t.activity(systemStats());
  t.clock.advance(MINUTE - 1);
  assertEquals(await t.watcher.check(), [], "two minutes after the work, not before");
  t.clock.advance(1);
  assertEquals(await t.watcher.check(), [1]);
});
