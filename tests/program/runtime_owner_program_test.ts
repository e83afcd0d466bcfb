/**
 * Regression tests with the real program, where a crash of AiKore (or a process it lost) was
 * the symptom: every runtime operation of an instance now goes through its one owner.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { installIdOf, markedProcesses, Program, testBlueprint } from "../helpers/program.ts";
import { seededRandom } from "../helpers/seeded_random.ts";

const SEED = Number(Deno.env.get("AIKORE_RANDOM_SEED") ?? 4242);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BLUEPRINTS = {
  // A daemon (setsid, keeps the marker, ignores TERM and HUP); the leader exits after 0.3 s.
  "exit_race.sh": testBlueprint(
    "exit race",
    `setsid bash -c 'trap "" TERM HUP; exec sleep 300' </dev/null >/dev/null 2>&1 &\nsleep 0.3\nexit 0`,
  ),
  // Fails its first run, then stays up.
  "fail_once.sh": testBlueprint(
    "fail once",
    `if [ -f ./ran ]; then exec sleep 300; fi\ntouch ./ran\nexit 3`,
  ),
  // The same, padded so that reading the blueprint at each start takes a while: the start
  // path (automatic or manual) stays open long enough for the other to arrive meanwhile.
  "fail_once_slow.sh": testBlueprint(
    "fail once slowly",
    `if [ -f ./ran ]; then exec sleep 300; fi\ntouch ./ran\nexit 3\n${
      "# padding\n".repeat(95_000)
    }`,
  ),
  "ignores_term.sh": testBlueprint("ignores term", `trap "" TERM HUP\nwhile :; do sleep 1; done`),
  "sleeper.sh": testBlueprint("sleeper", "exec sleep 300"),
};

async function withProgram(
  env: Record<string, string>,
  body: (program: Program, dataDir: string) => Promise<void>,
  dataDir?: string,
): Promise<void> {
  const dir = dataDir ?? await Deno.makeTempDir({ prefix: "aikore-owner-" });
  const program = new Program({ dataDir: dir, blueprints: BLUEPRINTS, env });
  await program.start();
  try {
    await body(program, dir);
  } finally {
    await program.close();
    if (!dataDir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function create(program: Program, name: string, blueprint: string, extra = {}) {
  const created = await program.api("POST", "/api/instances", {
    name,
    base_blueprint: blueprint,
    ...extra,
  });
  assertEquals(created.status, 201, JSON.stringify(created.body));
  return created.body.id as number;
}

Deno.test(`stop while the app exits by itself: 50 rounds, AiKore never crashes (seed ${SEED})`, async () => {
  const rand = seededRandom(SEED);
  await withProgram({}, async (program, dataDir) => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await create(program, `race${i}`, "exit_race.sh"));
    const installId = installIdOf(dataDir);
    const answers: number[] = [];
    await Promise.all(ids.map(async (id) => {
      for (let round = 0; round < 10; round++) {
        assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
        // Around the leader's own exit (0.3 s), while the daemon it left is being cleaned up.
        await sleep(150 + rand() * 500);
        const stopped = await program.api("POST", `/api/instances/${id}/stop`);
        answers.push(stopped.status);
        assertEquals(stopped.body.status, "stopped", JSON.stringify(stopped.body));
        assertEquals(markedProcesses(`${installId}.${id}`).size, 0, "nothing left after stop");
      }
    }));
    await sleep(1500);
    assertEquals(answers.length, 50);
    assertEquals(answers.filter((s) => s !== 200), []);
    assertEquals(await program.exitedCode(), null, "AiKore is still running");
    assert(await program.alive());
  });
});

Deno.test("a start during the automatic restart runs the app once and crashes nothing", async () => {
  await withProgram({}, async (program, dataDir) => {
    const installId = installIdOf(dataDir);
    for (let round = 0; round < 3; round++) {
      const id = await create(program, `racy${round}`, "fail_once_slow.sh", {
        restart_policy: "on-failure",
      });
      await program.api("POST", `/api/instances/${id}/start`);
      await program.waitFor(id, ["exited"]);
      // The back-off is 1 s: press Start many times around the moment the timer fires.
      await sleep(750 + round * 50);
      const answers = await Promise.all(
        Array.from(
          { length: 80 },
          (_, i) => sleep(i * 4).then(() => program.api("POST", `/api/instances/${id}/start`)),
        ),
      );
      const statuses = answers.map((a) => a.status);
      assertEquals(statuses.filter((s) => s !== 200 && s !== 409), [], `round ${round}`);
      await program.waitFor(id, ["started"]);
      await sleep(300);
      const pids = markedProcesses(`${installId}.${id}`).get(
        `AIKORE_INSTANCE_ID=${installId}.${id}`,
      );
      assertEquals(pids?.length, 1, `round ${round}: exactly one process runs the app`);
      const record = (await program.api("GET", `/api/instances/${id}`)).body;
      assertEquals(record.pid, pids?.[0], "the stored pid is the live one");
      assertEquals((await program.api("POST", `/api/instances/${id}/stop`)).status, 200);
      assertEquals(markedProcesses(`${installId}.${id}`).size, 0);
    }
    await sleep(1200);
    assertEquals(await program.exitedCode(), null, "AiKore is still running");
  });
});

// Without holders (apps run inside AiKore), a kill -9 of AiKore leaves leftovers to reconcile.
const IN_PROCESS = { AIKORE_STOP_GRACE: "3", AIKORE_HOLDER_BIN: "off" };

Deno.test("an instance started during boot reconciliation is not killed by it", async () => {
  await withProgram(IN_PROCESS, async (program, dataDir) => {
    const stubborn = await create(program, "stubborn", "ignores_term.sh");
    const later = await create(program, "later", "sleeper.sh");
    for (const id of [stubborn, later]) {
      assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
      await program.waitFor(id, ["started"]);
    }
    const installId = installIdOf(dataDir);
    await program.kill("SIGKILL");
    await program.start("listening");
    // Reconciliation now spends the 3 s grace on the TERM-ignoring leftover (/healthz says 503).
    const health = await fetch(`${program.url}/healthz`);
    assertEquals(health.status, 503, "not ready while reconciliation runs");
    assert((await health.text()).startsWith("starting: "));
    const started = await program.api("POST", `/api/instances/${later}/start`);
    assertEquals(started.status, 200, JSON.stringify(started.body));
    await program.waitFor(stubborn, ["stopped"], 20_000);
    await sleep(1000);
    const record = (await program.api("GET", `/api/instances/${later}`)).body;
    assertEquals(record.status, "started", record.status_message);
    const pids = markedProcesses(`${installId}.${later}`).get(
      `AIKORE_INSTANCE_ID=${installId}.${later}`,
    );
    assertEquals(pids, [record.pid], "the user's run is the one alive");
    assertEquals(markedProcesses(`${installId}.${stubborn}`).size, 0, "the leftover is gone");
  });
});

Deno.test("a back-off in progress is honoured after a kill -9 of AiKore", async () => {
  await withProgram({}, async (program, dataDir) => {
    const id = await create(program, "comeback", "fail_once.sh", { restart_policy: "on-failure" });
    await program.api("POST", `/api/instances/${id}/start`);
    await program.waitFor(id, ["exited"]);
    await program.kill("SIGKILL");
    await program.start();
    await program.waitFor(id, ["started"], 10_000);
    const installId = installIdOf(dataDir);
    const record = (await program.api("GET", `/api/instances/${id}`)).body;
    const pids = markedProcesses(`${installId}.${id}`).get(`AIKORE_INSTANCE_ID=${installId}.${id}`);
    assertEquals(pids, [record.pid], "restarted once, by the saved back-off");
  });
});

Deno.test({
  name: "disk full: stop still stops the app; start leaves no process the state does not know",
  // Mounting a small tmpfs (a disk that really fills up) needs root.
  ignore: Deno.uid() !== 0,
}, async () => {
  const mount = await Deno.makeTempDir({ prefix: "aikore-tmpfs-" });
  const mounted = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=24m", "tmpfs", mount],
    stderr: "null",
  }).output();
  if (!mounted.success) {
    await Deno.remove(mount);
    throw new Error("cannot mount a tmpfs here although running as root");
  }
  try {
    await withProgram({}, async (program, dataDir) => {
      const installId = installIdOf(dataDir);
      const id = await create(program, "filler", "sleeper.sh");
      const other = await create(program, "other", "sleeper.sh");
      assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
      await program.waitFor(id, ["started"]);
      await new Deno.Command("dd", {
        args: ["if=/dev/zero", `of=${mount}/filler`, "bs=64k"],
        stderr: "null",
      }).output();
      const stopped = await program.api("POST", `/api/instances/${id}/stop`);
      assertEquals(stopped.status, 200, JSON.stringify(stopped.body));
      assertEquals(stopped.body.status, "stopped");
      assertEquals(markedProcesses(`${installId}.${id}`).size, 0, "the app is gone");
      assertEquals((await program.api("GET", `/api/instances/${id}`)).body.status, "stopped");

      const start = await program.api("POST", `/api/instances/${other}/start`);
      const record = (await program.api("GET", `/api/instances/${other}`)).body;
      const live = markedProcesses(`${installId}.${other}`).get(
        `AIKORE_INSTANCE_ID=${installId}.${other}`,
      ) ?? [];
      if (start.status === 200) {
        assertEquals(live, [record.pid], "a start that succeeded is known with its pid");
      } else {
        assertEquals(start.status, 507, JSON.stringify(start.body));
        assertEquals(live, [], "a refused start leaves no process");
        assertEquals(record.status, "stopped");
      }
      await Deno.remove(`${mount}/filler`);
      if (start.status === 200) {
        assertEquals((await program.api("POST", `/api/instances/${other}/stop`)).status, 200);
      }
      assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
      assertEquals((await program.api("POST", `/api/instances/${id}/stop`)).status, 200);
      assertEquals(await program.exitedCode(), null);
    }, `${mount}/data`);
  } finally {
    await new Deno.Command("umount", { args: ["-l", mount] }).output();
    await Deno.remove(mount, { recursive: true }).catch(() => {});
  }
});
