/**
 * The owner under random interleavings: start, stop, restart, delete, update, crash, health,
 * time passing (automatic restarts, stall timers), a full disk and failing spawns, with fake
 * processes and a fake clock over a real SQLite file. After every step: at most one live
 * process per instance, the stored status fits the runtime state, no unhandled rejection.
 */
import { InstanceRepository, InstanceRestartRepository, openDatabase } from "../../db/mod.ts";
import type {
  InstanceConfig,
  InstanceRecord,
  InstanceRuntime as RuntimeFields,
} from "../../db/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { isStorageFull } from "../../shared/domain_error.ts";
import { DomainError } from "../../shared/domain_error.ts";
import { HttpError } from "../../shared/http_error.ts";
import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { FakeClock, FakeProcesses, yieldTimes } from "../../../tests/helpers/fake_runtime.ts";
import { SYSTEM_ACTOR } from "../actor.ts";
import { EventBus } from "../event_bus.ts";
import { InstanceStore } from "../instance_store.ts";
import type { InstanceLaunchPlan } from "../launch_plan.ts";
import { fittingStatuses } from "../state_machine.ts";
import { InstanceRuntime } from "./instance_runtime.ts";
import { seededRandom } from "../../../tests/helpers/seeded_random.ts";

const SEED = Number(Deno.env.get("AIKORE_RANDOM_SEED") ?? 20261206);
const STEPS = Number(Deno.env.get("AIKORE_RANDOM_STEPS") ?? 1000);

/** A repository whose runtime writes fail like a full disk while `full` is set. */
class FlakyRepository extends InstanceRepository {
  full = false;
  override updateRuntime(id: number, patch: Partial<RuntimeFields>): InstanceRecord | null {
    if (this.full) throw new Error("database or disk is full");
    return super.updateRuntime(id, patch);
  }
}

function config(n: number, policy: "no" | "on-failure"): InstanceConfig {
  return {
    parentId: null,
    name: `app ${n}`,
    slug: `app-${n}`,
    blueprint: "fake.sh",
    gpuIds: "",
    autostart: false,
    persistentMode: false,
    hostname: null,
    useCustomHostname: false,
    outputPath: `app-${n}`,
    port: null,
    restartPolicy: policy,
    pythonVersion: null,
    cudaVersion: null,
    torchVersion: null,
  };
}

/** Errors a caller may legitimately get; anything else is a bug. */
function expected(error: unknown): boolean {
  return error instanceof DomainError || error instanceof HttpError || isStorageFull(error);
}

Deno.test(`owner under ${STEPS} random steps (seed ${SEED}): one process per instance, truthful status`, async () => {
  const rand = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const unhandled: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    unhandled.push(event.reason);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const dir = await Deno.makeTempDir({ prefix: "aikore-owner-random-" });
  const db = openDatabase(`${dir}/aikore.db`);
  try {
    const repo = new FlakyRepository(db);
    const store = new InstanceStore(repo, new EventBus());
    const clock = new FakeClock();
    const restarts = new InstanceRestartRepository(db);
    const processes = new FakeProcesses(() => Math.floor(rand() * 3));
    let prepareFails = false;
    const runtime = new InstanceRuntime({
      store,
      restarts,
      processes,
      prepare: async (record, marker): Promise<InstanceLaunchPlan> => {
        await yieldTimes(Math.floor(rand() * 3));
        if (prepareFails) throw new DomainError("conflict", "blueprint gone (fake)");
        return {
          argv: ["fake"],
          env: { WEBUI_PORT: "20000" },
          cwd: dir,
          logPath: `${dir}/${record.slug}.log`,
          marker,
          ensureDirs: [],
          health: { kind: "process" },
          startTimeoutMs: 5000,
          stepFile: { root: dir, path: `${dir}/${record.slug}.step` },
        };
      },
      clock,
      logger: silentLogger,
      graceMs: 100,
      marker: (id) => `fake.${id}`,
      audit: () => {},
    });
    let created = 0;
    const ids: number[] = [];
    const deleted: number[] = [];
    const create = () => {
      const wasFull = repo.full;
      repo.full = false;
      const record = repo.insert(config(++created, rand() < 0.6 ? "on-failure" : "no"));
      repo.full = wasFull;
      ids.push(record.id);
    };
    for (let i = 0; i < 4; i++) create();

    const actions: Record<string, (id: number) => Promise<unknown> | void> = {
      start: (id) => runtime.start(id, SYSTEM_ACTOR),
      stop: (id) => runtime.stop(id, SYSTEM_ACTOR),
      restart: (id) => runtime.restart(id, SYSTEM_ACTOR),
      update: (id) =>
        runtime.exclusive(id, async (section) => {
          const live = section.live;
          if (live) await section.stop(SYSTEM_ACTOR);
          repo.updateConfig(id, { gpuIds: pick(["", "0", "1"]) });
          if (live) await section.start(SYSTEM_ACTOR);
        }),
      delete: (id) =>
        runtime.exclusive(id, (section) => {
          if (!repo.get(id)) throw new DomainError("not_found", "gone");
          if (section.live) throw new DomainError("conflict", "running");
          repo.delete(id);
          store.removed(id);
          section.forgetRestart();
          deleted.push(id);
          return Promise.resolve();
        }),
      crash: (id) => pick(processes.alive(`fake.${id}`))?.exit({ code: 1, signal: null }),
      exitClean: (id) => pick(processes.alive(`fake.${id}`))?.exit({ code: 0, signal: null }),
      healthy: (id) => pick(processes.alive(`fake.${id}`))?.becomeHealthy(),
      time: () => clock.advance(Math.floor(rand() * 9000)),
      policy: (id) => {
        repo.updateConfig(id, { restartPolicy: rand() < 0.5 ? "on-failure" : "no" });
      },
    };
    const weighted = [
      ...Array(5).fill("start"),
      ...Array(3).fill("stop"),
      ...Array(2).fill("restart"),
      "update",
      "delete",
      ...Array(3).fill("crash"),
      "exitClean",
      ...Array(2).fill("healthy"),
      ...Array(3).fill("time"),
      "policy",
    ] as string[];

    const counts: Record<string, number> = {};
    for (let step = 0; step < STEPS; step++) {
      if (rand() < 0.02) create();
      repo.full = rand() < 0.08;
      processes.failNextSpawn = rand() < 0.03;
      prepareFails = rand() < 0.03;
      const batch = 1 + Math.floor(rand() * 3);
      const running: Promise<unknown>[] = [];
      for (let i = 0; i < batch; i++) {
        const name = pick(weighted);
        const id = pick(ids);
        counts[name] = (counts[name] ?? 0) + 1;
        try {
          const outcome = actions[name]?.(id);
          if (outcome instanceof Promise) running.push(outcome);
        } catch (error) {
          if (!expected(error)) throw error;
        }
        if (rand() < 0.5) await yieldTimes(Math.floor(rand() * 3));
      }
      for (const result of await Promise.allSettled(running)) {
        if (result.status === "rejected" && !expected(result.reason)) {
          throw new Error(
            `step ${step}: unexpected failure: ${result.reason?.stack ?? result.reason}`,
          );
        }
      }
      repo.full = false;
      for (let i = 0; i < 6; i++) {
        await runtime.settled();
        await yieldTimes(4);
      }
      store.flush();
      for (const id of ids) {
        const live = processes.alive(`fake.${id}`);
        assert(live.length <= 1, `step ${step}: instance ${id} has ${live.length} live processes`);
        const record = store.get(id);
        if (!record) {
          assertEquals(live.length, 0, `step ${step}: deleted ${id} still has a process`);
          continue;
        }
        const kind = runtime.stateOf(id);
        assert(
          fittingStatuses(kind).has(record.status),
          `step ${step}: instance ${id} is ${kind} but stored ${record.status}`,
        );
        assertEquals(repo.get(id)?.status, record.status, `step ${step}: ${id} not written`);
        assertEquals(
          restarts.get(id) !== null,
          kind === "backoff",
          `step ${step}: ${id} saved restart ⇔ back-off`,
        );
        const process = runtime.running(id);
        if (kind === "running") {
          assert(process !== null && process.alive, `step ${step}: ${id} running without process`);
          assertEquals(record.pid, process.pid, `step ${step}: ${id} stored pid`);
          assertEquals(live, [process], `step ${step}: ${id} live process is the tracked one`);
        } else {
          assertEquals(live.length, 0, `step ${step}: ${id} is ${kind} with a live process`);
          assertEquals(record.pid, null, `step ${step}: ${id} is ${kind} with a pid stored`);
        }
      }
      assertEquals(unhandled, [], `step ${step}: unhandled rejection`);
    }
    for (const name of Object.keys(actions)) assert((counts[name] ?? 0) > 50, `${name} ran`);
    assert(deleted.length > 10, "deletes happened");
    await runtime.stopAll();
    assertEquals(processes.all.filter((p) => p.alive).length, 0, "shutdown leaves nothing");
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
