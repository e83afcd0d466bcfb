/**
 * Instances outlive AiKore (issue 13), with the real program and real processes: each app runs
 * under its own holder; a SIGTERM or kill -9 of AiKore leaves it running, the next AiKore
 * re-adopts it (same pid, complete log, console replay), and Stop still works.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { installIdOf, markedProcesses, Program, testBlueprint } from "../helpers/program.ts";
import { holderProcesses, lineNumbers, openConsole } from "./adoption_support.ts";
import { seededRandom } from "../helpers/seeded_random.ts";

const SEED = Number(Deno.env.get("AIKORE_RANDOM_SEED") ?? 1313);
const NOTE = "re-attached after AiKore restart";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const BLUEPRINTS = {
  "counter.sh": testBlueprint(
    "counter",
    `i=0\nwhile :; do echo "count $i"; i=$((i+1)); sleep 0.1; done`,
  ),
  "ends_soon.sh": testBlueprint("ends soon", `echo up\nsleep 1.5\nexit 7`),
  // Fails once the test says so (a file in its folder): no race with AiKore's restart time.
  "fails_later.sh": testBlueprint(
    "fails later",
    `echo up\nwhile [ ! -e "$INSTANCE_CONF_DIR/fail-now" ]; do sleep 0.1; done\nexit 4`,
  ),
  "web.sh": testBlueprint(
    "web",
    `exec python3 -m http.server "$WEBUI_PORT" --bind 127.0.0.1`,
    "http:/",
  ),
};

async function withProgram(
  env: Record<string, string>,
  body: (program: Program, dataDir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-adopt-" });
  const program = new Program({ dataDir: dir, blueprints: BLUEPRINTS, env });
  await program.start();
  try {
    await body(program, dir);
  } finally {
    // Whatever a failed assertion left: stop it through a last AiKore with the stop mode.
    await program.kill("SIGKILL");
    const last = new Program({
      dataDir: dir,
      blueprints: BLUEPRINTS,
      env: { ...env, AIKORE_ON_SHUTDOWN: "stop" },
    });
    await last.start();
    await last.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function create(program: Program, name: string, blueprint: string) {
  const created = await program.api("POST", "/api/instances", { name, base_blueprint: blueprint });
  assertEquals(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: number; slug: string };
}

/** The counter's own bash (its `sleep 0.1` children come and go). */
function isBash(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/comm`).startsWith("bash");
  } catch {
    return false; // a sleep that just ended
  }
}

/** The parent pid of `pid`, or null when it is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return Number(stat.slice(stat.lastIndexOf(") ") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

/**
 * The app leaders among marked processes: bash processes whose parent is not one of them. The
 * counter forks a bash child for each `sleep 0.1` that is still "bash" until it execs: on a loaded
 * machine a look can land in that instant, and it is not a second app.
 */
function appLeaders(pids: readonly number[]): number[] {
  const bashes = pids.filter(isBash);
  return bashes.filter((pid) => !bashes.includes(parentOf(pid) ?? -1));
}

function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

Deno.test("a counter app keeps running with the same pid across SIGTERM and kill -9 of AiKore; log, console and Stop stay whole", async () => {
  await withProgram({ AIKORE_ON_SHUTDOWN: "leave" }, async (program, dataDir) => {
    const { id, slug } = await create(program, "counter", "counter.sh");
    assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
    await program.waitFor(id, ["started"]);
    const pid = (await program.api("GET", `/api/instances/${id}`)).body.pid as number;
    const log = `${dataDir}/instances/${slug}/logs/output.log`;
    const installId = installIdOf(dataDir);
    for (const signal of ["SIGTERM", "SIGKILL", "SIGTERM"] as const) {
      await sleep(300);
      await program.kill(signal);
      const lastBefore = Math.max(...lineNumbers(await Deno.readTextFile(log)));
      assert(alive(pid), `${signal}: the app survives AiKore`);
      await sleep(700); // about 7 lines are written while AiKore is down
      await program.start();
      const record = (await program.api("GET", `/api/instances/${id}`)).body;
      assertEquals(
        [record.status, record.pid, record.status_message],
        ["started", pid, NOTE],
        `${signal}: re-adopted`,
      );
      const numbers = lineNumbers(await Deno.readTextFile(log));
      assertEquals(numbers, numbers.map((_, i) => i), `${signal}: every line, no gap`);
      assert(numbers.length > lastBefore + 5, `${signal}: lines written while AiKore was down`);
      const console = await openConsole(program, id);
      try {
        await console.waitFor(new RegExp(`count ${lastBefore + 5}\\r?\\n`));
        await console.waitFor(/count 0\r?\n/);
      } finally {
        console.close();
      }
      const pids = markedProcesses(`${installId}.${id}`).get(
        `AIKORE_INSTANCE_ID=${installId}.${id}`,
      );
      assert(pids?.includes(pid), "the app is the one process with its marker (plus its sleep)");
      assertEquals(holderProcesses(installId).length, 1, `${signal}: one holder, no duplicate`);
    }
    const stopped = await program.api("POST", `/api/instances/${id}/stop`);
    assertEquals([stopped.status, stopped.body.status], [200, "stopped"]);
    assertEquals(markedProcesses(`${installId}.${id}`).size, 0, "Stop leaves nothing");
    assertEquals(holderProcesses(installId).length, 0, "the holder is gone too");
    assert(!alive(pid));
  });
});

Deno.test("an autostart never lands on the GPU of a run that kept going through AiKore's restart", async () => {
  await withProgram({ AIKORE_ON_SHUTDOWN: "leave" }, async (program) => {
    const make = async (name: string, gpu_ids: string, autostart: boolean) => {
      const created = await program.api("POST", "/api/instances", {
        name,
        base_blueprint: "counter.sh",
        gpu_ids,
        autostart,
      });
      assertEquals(created.status, 201, JSON.stringify(created.body));
      return created.body.id as number;
    };
    const trainer = await make("trainer", "0", false);
    const painter = await make("painter", "0", true); // stopped by its user, autostart on
    const elsewhere = await make("elsewhere", "1", true);
    assertEquals((await program.api("POST", `/api/instances/${trainer}/start`)).status, 200);
    await program.waitFor(trainer, ["started"]);
    await program.kill("SIGKILL"); // an upgrade, a crash: the training goes on
    await program.start();
    const get = async (id: number) => (await program.api("GET", `/api/instances/${id}`)).body;
    assertEquals((await get(trainer)).status_message, NOTE, "the training was taken back");
    const held = await get(painter);
    assertEquals(held.status, "stopped");
    assertEquals(
      held.status_message,
      'Not started with AiKore: its GPUs are used by "trainer", which kept running through ' +
        "AiKore's restart. Start it if you mean to share them.",
    );
    await program.waitFor(elsewhere, ["started"]); // another GPU: autostarted as ever
    // A start by hand is the user's to make.
    assertEquals((await program.api("POST", `/api/instances/${painter}/start`)).status, 200);
    await program.waitFor(painter, ["started"]);
  });
});

Deno.test("an app that ended while AiKore was down is shown exited with its code and time", async () => {
  await withProgram({ AIKORE_ON_SHUTDOWN: "leave" }, async (program, dataDir) => {
    const { id } = await create(program, "short", "ends_soon.sh");
    assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
    await program.waitFor(id, ["started"]);
    await program.kill("SIGKILL");
    await sleep(2500);
    await program.start();
    const record = (await program.api("GET", `/api/instances/${id}`)).body;
    assertEquals([record.status, record.exit_code, record.pid], ["exited", 7, null]);
    assert(
      /ended while AiKore was down \(exit code 7\) at \d{4}-\d\d-\d\dT/.test(record.status_message),
      record.status_message,
    );
    assertEquals(holderProcesses(installIdOf(dataDir)).length, 0);
    // It starts again like any exited instance; `aikore instances stop-all` stops it.
    assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
    await program.waitFor(id, ["started"]);
    const cli = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        new URL("../../main.ts", import.meta.url).pathname,
        "instances",
        "stop-all",
      ],
      env: { AIKORE_URL: program.url, AIKORE_TOKEN: program.token },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const printed = new TextDecoder().decode(cli.stdout);
    assertEquals(cli.code, 0, new TextDecoder().decode(cli.stderr));
    assert(printed.includes("short: stopped"), printed);
    assertEquals(markedProcesses(`${installIdOf(dataDir)}.${id}`).size, 0);
    assertEquals(holderProcesses(installIdOf(dataDir)).length, 0);
  });
});

Deno.test("a re-adopted app that then fails is restarted by its on-failure policy", async () => {
  await withProgram({ AIKORE_ON_SHUTDOWN: "leave" }, async (program, dataDir) => {
    const created = await program.api("POST", "/api/instances", {
      name: "flaky",
      base_blueprint: "fails_later.sh",
      restart_policy: "on-failure",
    });
    const id = created.body.id as number;
    assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
    await program.waitFor(id, ["started"]);
    const first = (await program.api("GET", `/api/instances/${id}`)).body.pid as number;
    await program.kill("SIGKILL");
    await program.start();
    const adopted = (await program.api("GET", `/api/instances/${id}`)).body;
    assertEquals([adopted.status, adopted.pid, adopted.status_message], ["started", first, NOTE]);
    await Deno.writeTextFile(`${dataDir}/instances/flaky/fail-now`, "");
    await program.waitFor(id, ["exited"], 10_000); // exit 4, seen through the holder
    assertEquals((await program.api("GET", `/api/instances/${id}`)).body.exit_code, 4);
    await Deno.remove(`${dataDir}/instances/flaky/fail-now`); // the next run stays up
    await program.waitFor(id, ["started"], 10_000); // the back-off (1 s) restarted it
    const again = (await program.api("GET", `/api/instances/${id}`)).body;
    assert(again.pid !== first && again.pid !== null, "a new run");
  });
});

Deno.test("AIKORE_ON_SHUTDOWN=stop: stopping AiKore leaves nothing running", async () => {
  await withProgram({ AIKORE_ON_SHUTDOWN: "stop" }, async (program, dataDir) => {
    const ids = [];
    for (const name of ["one", "two"]) ids.push((await create(program, name, "counter.sh")).id);
    for (const id of ids) {
      assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
      await program.waitFor(id, ["started"]);
    }
    const installId = installIdOf(dataDir);
    assertEquals(holderProcesses(installId).length, 2);
    await program.kill("SIGTERM");
    assertEquals(markedProcesses(installId).size, 0, "no app is left");
    assertEquals(holderProcesses(installId).length, 0, "no holder is left");
    await program.start();
    for (const id of ids) {
      assertEquals((await program.api("GET", `/api/instances/${id}`)).body.status, "stopped");
    }
  });
});

Deno.test(`20 kill -9 of AiKore at random moments: no orphan, no duplicate, nothing lost (seed ${SEED})`, async () => {
  const rand = seededRandom(SEED);
  await withProgram({ AIKORE_ON_SHUTDOWN: "leave" }, async (program, dataDir) => {
    const ids: number[] = [];
    for (const name of ["a", "b", "c"]) ids.push((await create(program, name, "counter.sh")).id);
    const installId = installIdOf(dataDir);
    for (let round = 0; round < 20; round++) {
      // Some starts and stops in flight, then AiKore dies somewhere in the middle of them.
      const actions = ids.map((id) => {
        const action = rand() < 0.5 ? "start" : "stop";
        return program.api("POST", `/api/instances/${id}/${action}`).catch(() => null);
      });
      await sleep(rand() * 250);
      await program.kill("SIGKILL");
      await Promise.all(actions);
      await program.start();
      for (const id of ids) {
        const status = await program.waitFor(id, ["started", "stopped", "exited", "error"]);
        const record = (await program.api("GET", `/api/instances/${id}`)).body;
        const marker = `${installId}.${id}`;
        const leaders = appLeaders(
          markedProcesses(marker).get(`AIKORE_INSTANCE_ID=${marker}`) ?? [],
        );
        const holders = holderProcesses(marker);
        if (status === "started") {
          assertEquals(leaders, [record.pid], `round ${round} #${id}: one app, the stored one`);
          assertEquals(holders.length, 1, `round ${round} #${id}: one holder`);
        } else {
          // A run AiKore died before recording (a start in flight) was stopped by the boot's
          // reconciliation, which /healthz waits for.
          const leftovers = () => ({
            apps: appLeaders(markedProcesses(marker).get(`AIKORE_INSTANCE_ID=${marker}`) ?? []),
            holders: holderProcesses(marker),
          });
          assertEquals(leftovers().apps, [], `round ${round} #${id} ${status}: no app left`);
          assertEquals(leftovers().holders, [], `round ${round} #${id} ${status}: no holder left`);
          assertEquals(record.pid, null);
        }
      }
    }
    assertEquals(markedProcesses(`${installId}.`).size <= ids.length, true, "no foreign marker");
  });
});

Deno.test("through nginx, the port route of a held app serves again once AiKore is back; the app's own port never fails", async () => {
  await withProgram(
    { AIKORE_ON_SHUTDOWN: "leave", AIKORE_NGINX: "managed" },
    async (program, dataDir) => {
      const { id, slug } = await create(program, "web", "web.sh");
      assertEquals((await program.api("POST", `/api/instances/${id}/start`)).status, 200);
      await program.waitFor(id, ["started"]);
      const record = (await program.api("GET", `/api/instances/${id}`)).body;
      const route = `http://127.0.0.1:${record.port}/`;
      // The holder logs output that keeps coming in batches (20 ms at most): wait for the line.
      const logFile = `${dataDir}/instances/${slug}/logs/output.log`;
      let log = await Deno.readTextFile(logFile);
      for (let tries = 0; !/port \d+/.test(log) && tries < 100; tries++) {
        await sleep(20);
        log = await Deno.readTextFile(logFile);
      }
      const appPort = Number(/port (\d+)/.exec(log)?.[1]);
      assert(appPort > 0, `the app's own port is in its log: ${log}`);
      const get = (url: string, headers: Record<string, string> = {}) =>
        fetch(url, { headers }).then(async (response) => {
          await response.body?.cancel();
          return response.status === 200;
        }, () => false);
      // Every 100 ms, one request through the port route (the API token as credentials) and one
      // straight to the app.
      const results: { at: number; ok: boolean }[] = [];
      let directFailures = 0;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const at = performance.now();
          const [ok, direct] = await Promise.all([
            get(route, { authorization: `Bearer ${program.token}` }),
            get(`http://127.0.0.1:${appPort}/`),
          ]);
          results.push({ at, ok });
          if (!direct) directFailures++;
          await sleep(Math.max(0, 100 - (performance.now() - at)));
        }
      })();
      try {
        await sleep(500);
        const before = results.length;
        assert(results.every((r) => r.ok), "the route serves before the crash");
        const down = performance.now();
        await program.kill("SIGKILL");
        assert(alive(record.pid), "the app survives AiKore");
        await sleep(500);
        await program.start();
        const back = performance.now();
        const adopted = (await program.api("GET", `/api/instances/${id}`)).body;
        assertEquals([adopted.status, adopted.pid], ["started", record.pid], "re-adopted");
        await sleep(1500);
        const after = results.filter((r) => r.at > back + 1000);
        assert(after.length >= 5 && after.every((r) => r.ok), "the route serves again");
        const failed = results.slice(before).filter((r) => !r.ok);
        assert(results.length - before > 15, "requests were sent all along");
        assert(
          failed.every((r) => r.at >= down - 100 && r.at <= back + 1000),
          `requests fail only while AiKore is down and starts (${failed.length} of ${
            results.length - before
          } failed)`,
        );
      } finally {
        polling = false;
        await poller;
      }
      assertEquals(directFailures, 0, "the app's own port answered every request");
      const stopped = await program.api("POST", `/api/instances/${id}/stop`);
      assertEquals([stopped.status, stopped.body.status], [200, "stopped"]);
    },
  );
});
