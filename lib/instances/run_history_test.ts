import { assertEquals } from "../../tests/helpers/assert.ts";
import { openDatabase } from "../db/database.ts";
import { EventBus } from "./event_bus.ts";
import { INSTANCE_EVENT, INSTANCE_REMOVED_EVENT } from "./instance_store.ts";
import { RunHistory } from "./run_history.ts";
import { instanceAt as at } from "./test_support.ts";

Deno.test("runs open on start, close on exit; a run open across a restart is 'interrupted'", () => {
  const db = openDatabase(":memory:");
  let clock = Date.parse("2026-12-06T10:00:00Z");
  const now = () => new Date(clock);
  const bus = new EventBus();
  const first = new RunHistory(db, now);
  first.start(bus);
  bus.publish(INSTANCE_EVENT, at("starting", { startedAt: "2026-12-06T10:00:00.000Z" }));
  bus.publish(INSTANCE_EVENT, at("started"));
  clock += 5000;
  bus.publish(INSTANCE_EVENT, at("exited", { exitCode: 3 }));
  bus.publish(INSTANCE_EVENT, at("starting"));
  first.stop();
  const second = new RunHistory(db, now);
  second.start(new EventBus());
  assertEquals(second.list(7), [
    {
      started_at: "2026-12-06T10:00:05.000Z",
      ended_at: "2026-12-06T10:00:05.000Z",
      outcome: "interrupted",
      exit_code: null,
      exit_signal: null,
      environment: null,
    },
    {
      started_at: "2026-12-06T10:00:00.000Z",
      ended_at: "2026-12-06T10:00:05.000Z",
      outcome: "exited",
      exit_code: 3,
      exit_signal: null,
      environment: null,
    },
  ]);
  second.record({ id: 1, type: INSTANCE_REMOVED_EVENT, data: { id: 7 } });
  assertEquals(second.list(7), []);
  db.close();
});
