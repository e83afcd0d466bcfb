/**
 * Each run's environment is recorded once the app is healthy, or when the run ends before it
 * ever was; the run history then says what changed since the last run that worked.
 */
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { openDatabase } from "../db/database.ts";
import { createLogger } from "../log/mod.ts";
import type { EnvironmentSnapshot } from "../shared/environment_snapshot.ts";
import { describeChange } from "../shared/environment_snapshot.ts";
import { EnvironmentRecorder } from "./environment_recorder.ts";
import type { InstanceRecord } from "../db/mod.ts";
import { EventBus } from "./event_bus.ts";
import { INSTANCE_EVENT } from "./instance_store.ts";
import { RunHistory } from "./run_history.ts";
import { instanceAt as at } from "./test_support.ts";

const env = (torch: string, extra: Record<string, string> = {}): EnvironmentSnapshot => ({
  python: "3.12.7",
  packages: { torch, aiohttp: "3.10.0", ...extra },
  checkouts: { ComfyUI: "a".repeat(40) },
});

/**
 * Runs `body` with a recorder over a run history on a real (in-memory) SQLite database and a
 * bus, taking snapshots with `take`; closes all of it after.
 */
async function withRecorder(
  take: (record: InstanceRecord) => Promise<EnvironmentSnapshot>,
  body: (t: { bus: EventBus; runs: RunHistory; recorder: EnvironmentRecorder }) => Promise<void>,
  logs: string[] = [],
): Promise<void> {
  const db = openDatabase(":memory:");
  const bus = new EventBus();
  const runs = new RunHistory(db);
  runs.start(bus);
  const recorder = new EnvironmentRecorder({
    runs,
    take,
    logger: createLogger("info", "test", (line) => logs.push(line)),
  });
  recorder.start(bus);
  try {
    await body({ bus, runs, recorder });
  } finally {
    await recorder.stop();
    runs.stop();
    db.close();
  }
}

Deno.test("environments: recorded when healthy and at a failure before; changes since the last run that worked", async () => {
  const logs: string[] = [];
  let next: EnvironmentSnapshot | Error = env("2.5.1");
  const taken: string[] = [];
  const take = (record: InstanceRecord) => {
    taken.push(record.status);
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  await withRecorder(take, async ({ bus, runs, recorder }) => {
    const run = async (...statuses: string[]) => {
      for (const status of statuses) bus.publish(INSTANCE_EVENT, at(status, { exitCode: 1 }));
      await recorder.settled();
    };
    await run("starting", "started", "stopping", "stopped"); // run 1 works: torch 2.5.1
    next = env("2.6.0", { xformers: "0.0.29" });
    await run("starting", "exited"); // run 2 fails before it is healthy
    assertEquals(runs.failedRunChanges(7), ["torch 2.5.1 → 2.6.0", "+ xformers 0.0.29"]);
    next = env("2.6.0");
    await run("starting", "stalled", "started", "stopping", "stopped"); // run 3 works again
    assertEquals(runs.failedRunChanges(7), null, "the newest run worked");
    await run("starting", "started", "stopping", "stopped"); // run 4: nothing changed
    next = new Error("could not list the environment's packages: no python");
    await run("starting", "started"); // run 5: the record fails, only logged

    assertEquals(taken, ["started", "exited", "started", "started", "started"]);
    const [fifth, fourth, third, second, first] = runs.list(7);
    assertEquals(fifth?.environment, null);
    assertEquals(logs.length, 1);
    assertMatch(logs[0] ?? "", /background task failed: record the environment of a run/);
    assertEquals(first?.environment, {
      python: "3.12.7",
      packages: 2,
      checkouts: 1,
      healthy: true,
      changes: null,
      since: null,
    });
    assertEquals(second?.environment?.healthy, false);
    assertEquals(second?.environment?.changes?.map(describeChange), [
      "torch 2.5.1 → 2.6.0",
      "+ xformers 0.0.29",
    ]);
    assertEquals(second?.environment?.since, first?.started_at);
    // Compared with the last run that WORKED (run 1), not with the failed run 2.
    assertEquals(third?.environment?.changes?.map(describeChange), ["torch 2.5.1 → 2.6.0"]);
    assertEquals(fourth?.environment?.changes, []);
    assertEquals(fourth?.environment?.since, third?.started_at);
  }, logs);
});

Deno.test("environments: a run re-adopted as started, or stopped while starting, records nothing", async () => {
  let takes = 0;
  await withRecorder(() => (takes++, Promise.resolve(env("2.5.1"))), async ({ bus, recorder }) => {
    bus.publish(INSTANCE_EVENT, at("started")); // first seen already started (after a restart)
    bus.publish(INSTANCE_EVENT, at("stopping"));
    bus.publish(INSTANCE_EVENT, at("stopped"));
    bus.publish(INSTANCE_EVENT, at("starting"));
    bus.publish(INSTANCE_EVENT, at("stopping"));
    bus.publish(INSTANCE_EVENT, at("stopped"));
    await recorder.settled();
    assertEquals(takes, 0);
  });
});

Deno.test("environments: many instances turning healthy at once are read one after another", async () => {
  let running = 0;
  let most = 0;
  const finishers: Array<() => void> = [];
  const take = () => {
    most = Math.max(most, ++running);
    return new Promise<EnvironmentSnapshot>((resolve) =>
      finishers.push(() => (running--, resolve(env("2.5.1"))))
    );
  };
  await withRecorder(take, async ({ bus, runs, recorder }) => {
    for (const id of [1, 2, 3]) {
      bus.publish(INSTANCE_EVENT, at("starting", { id, slug: `app${id}` }));
      bus.publish(INSTANCE_EVENT, at("started", { id, slug: `app${id}` }));
    }
    for (let done = 0; done < 3; done++) {
      while (finishers.length === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      finishers.shift()?.();
    }
    await recorder.settled();
    assertEquals(most, 1, "never two at once");
    assertEquals([1, 2, 3].map((id) => runs.list(id)[0]?.environment?.packages), [2, 2, 2]);
  });
});

Deno.test("environments: a failure notice can wait for the failed run's record, never past its bound", async () => {
  let release: (snapshot: EnvironmentSnapshot) => void = () => {};
  const take = () => new Promise<EnvironmentSnapshot>((resolve) => (release = resolve));
  await withRecorder(take, async ({ bus, runs, recorder }) => {
    await recorder.recorded(7, 10_000); // nothing being taken: at once
    bus.publish(INSTANCE_EVENT, at("starting"));
    bus.publish(INSTANCE_EVENT, at("exited", { exitCode: 1 }));
    let done = false;
    const waited = recorder.recorded(7, 10_000).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assertEquals(done, false, "waits while the record is being taken");
    release(env("2.6.0"));
    await waited;
    assertEquals(
      runs.list(7)[0]?.environment?.healthy,
      false,
      "the record is made when it resolves",
    );

    bus.publish(INSTANCE_EVENT, at("starting"));
    bus.publish(INSTANCE_EVENT, at("exited", { exitCode: 1 }));
    await recorder.recorded(7, 30); // a take that hangs: it returns at its bound, not after
    assertEquals(runs.list(7)[0]?.environment, null, "not recorded yet");
    release(env("2.6.0"));
  });
});
