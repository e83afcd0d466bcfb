/**
 * The real program with an instance whose children escape in every way at once (marker
 * dropped, marker changed, environment overwritten, double fork + setsid), each holding a
 * port: Stop ends them all and frees the ports; after a kill -9 of AiKore, the next boot
 * finds and ends them. Needs a writable cgroup v2 hierarchy for the last two escapes to be
 * found across the restart (AiKore's containment layers say whether this machine has one).
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { freeRange } from "./tests/helpers/harness.ts";
import { apiToken, callApi, startAikore } from "./tests/helpers/aikore_process.ts";
import { ProcessContainment } from "./lib/process/mod.ts";
import {
  alive,
  compileOverwriter,
  ESCAPE_KINDS,
  ESCAPE_SCRIPT,
  portFree,
  readReport,
} from "./lib/process/testdata/escapes.ts";

const hasCgroups = new ProcessContainment().layers().includes("cgroup");

function blueprint(reports: string, overwriter: string): string {
  const lines = ESCAPE_KINDS.map((kind) =>
    `"${ESCAPE_SCRIPT}" ${kind} "${reports}/${kind}" "${overwriter}" &`
  );
  return [
    "#!/bin/bash",
    "### AIKORE-METADATA-START ###",
    "# aikore.name = Escapes",
    "# aikore.venv_type = none",
    "# aikore.health = process",
    "### AIKORE-METADATA-END ###",
    ...lines,
    "exec sleep 1000",
    "",
  ].join("\n");
}

async function escapees(reports: string) {
  return await Promise.all(ESCAPE_KINDS.map((kind) => readReport(`${reports}/${kind}`)));
}

async function until(condition: () => Promise<boolean> | boolean, what: string) {
  const end = performance.now() + 20_000;
  while (!(await condition())) {
    if (performance.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test({
  name:
    "every escapee of an instance ends on Stop, also after a kill -9 + restart of AiKore re-adopted it",
  ignore: !hasCgroups,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "aikore-escape-e2e-" });
    const dataDir = `${root}/data`;
    const blueprints = `${root}/blueprints`;
    const reports = `${root}/reports`;
    await Deno.mkdir(blueprints);
    await Deno.mkdir(reports);
    const overwriter = await compileOverwriter(root);
    await Deno.writeTextFile(`${blueprints}/escapes.sh`, blueprint(reports, overwriter));
    const port = Number((await freeRange(1)).split("-")[0]);
    const range = await freeRange(5);
    const env = { AIKORE_BLUEPRINTS_DIR: blueprints, AIKORE_STOP_GRACE: "1" };
    let program = await startAikore(dataDir, port, range, env);
    let seen: { pid: number; port: number }[] = [];
    try {
      const token = await apiToken(program.url);
      const created = await callApi(program.url, token, "POST", "/api/instances", {
        name: "escapes",
        base_blueprint: "escapes.sh",
      });
      assertEquals(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id;
      const status = async () =>
        (await callApi(program.url, token, "GET", `/api/instances/${id}`)).body?.status;

      assertEquals(
        (await callApi(program.url, token, "POST", `/api/instances/${id}/start`)).status,
        200,
      );
      seen = await escapees(reports);
      assert(seen.every((e) => alive(e.pid) && !portFree(e.port)), "all four escaped and listen");
      assertEquals(
        (await callApi(program.url, token, "POST", `/api/instances/${id}/stop`)).status,
        200,
      );
      await until(async () => (await status()) === "stopped", "the instance is stopped");
      for (const [index, escapee] of seen.entries()) {
        assertEquals(alive(escapee.pid), false, `${ESCAPE_KINDS[index]} ended on Stop`);
        assertEquals(portFree(escapee.port), true, `${ESCAPE_KINDS[index]}'s port is free`);
      }

      for (const kind of ESCAPE_KINDS) await Deno.remove(`${reports}/${kind}`);
      assertEquals(
        (await callApi(program.url, token, "POST", `/api/instances/${id}/start`)).status,
        200,
      );
      seen = await escapees(reports);
      program.child.kill("SIGKILL");
      await program.child.status;
      assert(seen.every((e) => alive(e.pid)), "the escapees outlive the killed AiKore");

      // The instance outlives AiKore under its holder: the next AiKore re-adopts it, escapees
      // included, and its Stop still ends every one of them.
      program = await startAikore(dataDir, port, range, env);
      const fresh = await apiToken(program.url);
      const freshStatus = async () =>
        (await callApi(program.url, fresh, "GET", `/api/instances/${id}`)).body?.status;
      await until(async () => (await freshStatus()) === "started", "the instance is re-adopted");
      assert(seen.every((e) => alive(e.pid)), "re-adoption kills nothing");
      assertEquals(
        (await callApi(program.url, fresh, "POST", `/api/instances/${id}/stop`)).status,
        200,
      );
      await until(async () => (await freshStatus()) === "stopped", "the instance is stopped");
      for (const [index, escapee] of seen.entries()) {
        assertEquals(
          alive(escapee.pid),
          false,
          `${ESCAPE_KINDS[index]} ended on Stop after re-adoption`,
        );
        assertEquals(portFree(escapee.port), true, `${ESCAPE_KINDS[index]}'s port is free`);
      }
    } finally {
      program.child.kill("SIGKILL");
      await program.child.status;
      for (const escapee of seen) if (alive(escapee.pid)) Deno.kill(escapee.pid, "SIGKILL");
      await Deno.remove(root, { recursive: true });
    }
  },
});
