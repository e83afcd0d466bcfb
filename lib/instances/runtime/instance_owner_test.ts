/**
 * The owner in the exact interleavings that crashed or fooled AiKore before, made
 * deterministic with fake processes, a fake clock and gates.
 */
import { InstanceRepository, InstanceRestartRepository, openDatabase } from "../../db/mod.ts";
import type { InstanceRecord, InstanceRuntime as RuntimeFields } from "../../db/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { assert, assertEquals, assertRejects } from "../../../tests/helpers/assert.ts";
import { FakeClock, FakeProcesses, yieldTimes } from "../../../tests/helpers/fake_runtime.ts";
import { SYSTEM_ACTOR } from "../actor.ts";
import { EventBus } from "../event_bus.ts";
import { InstanceStore } from "../instance_store.ts";
import type { InstanceLaunchPlan } from "../launch_plan.ts";
import { InstanceRuntime } from "./instance_runtime.ts";

class FlakyRepository extends InstanceRepository {
  full = false;
  override updateRuntime(id: number, patch: Partial<RuntimeFields>): InstanceRecord | null {
    if (this.full) throw new Error("database or disk is full");
    return super.updateRuntime(id, patch);
  }
}

async function setUp(policy: "no" | "on-failure" = "no") {
  const dir = await Deno.makeTempDir({ prefix: "aikore-owner-" });
  const db = openDatabase(`${dir}/aikore.db`);
  const repo = new FlakyRepository(db);
  const store = new InstanceStore(repo, new EventBus());
  const clock = new FakeClock();
  const processes = new FakeProcesses();
  let gate: Promise<void> | null = null;
  const prepared: string[] = [];
  const runtime = new InstanceRuntime({
    store,
    restarts: new InstanceRestartRepository(db),
    processes,
    prepare: async (record, marker): Promise<InstanceLaunchPlan> => {
      prepared.push(record.slug);
      if (gate) await gate;
      return {
        argv: ["fake"],
        env: { WEBUI_PORT: "20000" },
        cwd: dir,
        logPath: `${dir}/log`,
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
  const { id } = repo.insert({
    parentId: null,
    name: "app",
    slug: "app",
    blueprint: "fake.sh",
    gpuIds: "",
    autostart: false,
    persistentMode: false,
    hostname: null,
    useCustomHostname: false,
    outputPath: "app",
    port: null,
    restartPolicy: policy,
    pythonVersion: null,
    cudaVersion: null,
    torchVersion: null,
  });
  return {
    id,
    dir,
    repo,
    store,
    clock,
    processes,
    runtime,
    prepared,
    hold() {
      let open!: () => void;
      gate = new Promise((resolve) => open = resolve);
      return () => {
        gate = null;
        open();
      };
    },
    async close() {
      await runtime.stopAll();
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a user's Start during the automatic restart's launch waits, then is refused: one process", async () => {
  const t = await setUp("on-failure");
  try {
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    t.processes.alive(`fake.${t.id}`)[0]?.exit({ code: 3, signal: null });
    await yieldTimes(3);
    await t.runtime.settled();
    assertEquals(t.runtime.stateOf(t.id), "backoff");
    const release = t.hold();
    t.clock.advance(1000); // the back-off timer fires: the automatic start is preparing
    await yieldTimes(5);
    const manual = t.runtime.start(t.id, SYSTEM_ACTOR);
    await yieldTimes(5);
    release();
    await assertRejects(() => manual, /cannot be started while starting/);
    assertEquals(t.processes.alive(`fake.${t.id}`).length, 1);
    assertEquals(t.store.get(t.id)?.pid, t.processes.alive(`fake.${t.id}`)[0]?.pid);
  } finally {
    await t.close();
  }
});

Deno.test("a Start during the back-off replaces the automatic restart (no second launch later)", async () => {
  const t = await setUp("on-failure");
  try {
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    t.processes.alive(`fake.${t.id}`)[0]?.exit({ code: 3, signal: null });
    await yieldTimes(3);
    await t.runtime.settled();
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    t.clock.advance(60_000);
    await t.runtime.settled();
    assertEquals(t.prepared.length, 2, "the pending restart was cancelled");
    assertEquals(t.processes.alive(`fake.${t.id}`).length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("stop while the app exits by itself: the stale exit is absorbed, the status is stopped", async () => {
  const t = await setUp();
  try {
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    const process = t.processes.alive(`fake.${t.id}`)[0];
    const stopping = t.runtime.stop(t.id, SYSTEM_ACTOR);
    process?.exit({ code: 0, signal: null }); // the leader ends on its own meanwhile
    assertEquals((await stopping).status, "stopped");
    await t.runtime.settled();
    assertEquals(t.store.get(t.id)?.status, "stopped", "no late 'exited' over a stop");
    assertEquals(t.runtime.stateOf(t.id), "idle");
  } finally {
    await t.close();
  }
});

Deno.test("disk full: stop signals anyway and records the outcome once it can", async () => {
  const t = await setUp();
  try {
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    t.repo.full = true;
    const stopped = await t.runtime.stop(t.id, SYSTEM_ACTOR);
    assertEquals(stopped.status, "stopped");
    assertEquals(t.processes.alive(`fake.${t.id}`), [], "the app is gone");
    assertEquals(t.repo.get(t.id)?.status, "starting", "not written yet");
    assertEquals(t.store.get(t.id)?.status, "stopped", "but read truthfully");
    t.repo.full = false;
    assert(t.store.flush());
    assertEquals(t.repo.get(t.id)?.status, "stopped");
  } finally {
    await t.close();
  }
});

Deno.test("disk full: a start whose status cannot be written leaves no process behind", async () => {
  const t = await setUp();
  try {
    t.repo.full = true;
    await assertRejects(() => t.runtime.start(t.id, SYSTEM_ACTOR), /disk is full/);
    assertEquals(t.processes.alive(`fake.${t.id}`), []);
    assertEquals(t.processes.all.length, 1, "it was spawned, then stopped");
    t.repo.full = false;
    assertEquals(t.store.get(t.id)?.status, "stopped");
    assertEquals(t.runtime.stateOf(t.id), "idle");
    assertEquals((await t.runtime.start(t.id, SYSTEM_ACTOR)).status, "starting");
  } finally {
    await t.close();
  }
});

Deno.test("a delete waits for a running stop and is refused while the app lives", async () => {
  const t = await setUp();
  try {
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    const refused = t.runtime.exclusive(t.id, (section) => {
      if (section.live) return Promise.reject(new Error("live"));
      return Promise.resolve("deleted");
    });
    await assertRejects(() => refused, /live/);
    await t.runtime.stop(t.id, SYSTEM_ACTOR);
    const release = await t.runtime.hold(t.id);
    const held = await t.runtime.exclusive(t.id, (section) => Promise.resolve(section.held));
    assertEquals(held, 1, "a clone's hold is visible to rename and delete");
    release();
    release();
    assertEquals(await t.runtime.exclusive(t.id, (s) => Promise.resolve(s.held)), 0);
  } finally {
    await t.close();
  }
});

Deno.test("a starting run shows the step its blueprint names; healthy clears it; an exit there names it", async () => {
  const t = await setUp();
  try {
    const stepFile = `${t.dir}/app.step`;
    await Deno.writeTextFile(stepFile, "stale step of the last run\n");
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    // (The real preparation removes the last run's step; this fake one leaves it to be read.)
    await Deno.writeTextFile(stepFile, "Installing PyTorch\u001b[31m (a few GB)\nsecond line\n");
    t.clock.advance(1000);
    await t.runtime.settled();
    assertEquals(t.store.get(t.id)?.statusMessage, "Installing PyTorch [31m (a few GB)");
    await Deno.writeTextFile(stepFile, "Starting the app\n");
    t.clock.advance(1000);
    await t.runtime.settled();
    assertEquals(t.store.get(t.id)?.statusMessage, "Starting the app");
    t.processes.alive(`fake.${t.id}`)[0]?.becomeHealthy();
    await yieldTimes(5);
    await t.runtime.settled();
    assertEquals(t.store.get(t.id)?.status, "started");
    assertEquals(t.store.get(t.id)?.statusMessage, null, "healthy: the step is done");
    await Deno.writeTextFile(stepFile, "a line the app writes later\n");
    t.clock.advance(5000);
    await t.runtime.settled();
    assertEquals(t.store.get(t.id)?.statusMessage, null, "no longer read once started");
    await t.runtime.stop(t.id, SYSTEM_ACTOR);

    // An install that fails: the exit message names the step, read once more at the exit.
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    await Deno.writeTextFile(stepFile, "Installing the Python packages of ComfyUI\n");
    t.processes.alive(`fake.${t.id}`)[0]?.exit({ code: 1, signal: null });
    await yieldTimes(5);
    await t.runtime.settled();
    assertEquals(
      t.store.get(t.id)?.statusMessage,
      'The app ended by itself (exit code 1) at the step "Installing the Python packages of ComfyUI"',
    );
  } finally {
    await t.close();
  }
});

Deno.test("a run that stalls says at which step; a step file that is a link is not read", async () => {
  const t = await setUp();
  try {
    await t.runtime.start(t.id, SYSTEM_ACTOR);
    const outside = `${t.dir}/../aikore-owner-secret-${t.id}`;
    await Deno.writeTextFile(outside, "secret\n");
    try {
      await Deno.symlink(outside, `${t.dir}/app.step`);
      t.clock.advance(1000);
      await t.runtime.settled();
      assertEquals(t.store.get(t.id)?.statusMessage, null, "a link is never followed");
      await Deno.remove(`${t.dir}/app.step`);
      await Deno.writeTextFile(`${t.dir}/app.step`, "Downloading the model weights\n");
      t.clock.advance(4000); // the start timeout (5 s) passes
      await t.runtime.settled();
      assertEquals(t.store.get(t.id)?.status, "stalled");
      assertEquals(
        t.store.get(t.id)?.statusMessage,
        'Not healthy after 5 s (last step: "Downloading the model weights")',
      );
    } finally {
      await Deno.remove(outside);
    }
  } finally {
    await t.close();
  }
});
