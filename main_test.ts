/**
 * The real program as a child process (tier 3): crash safety of the supervisor.
 * T20: kill -9 of AiKore with instances starting, running and stopping, then a restart: no
 *      orphan holding a port, no duplicate, truthful statuses, a sound database (20 rounds).
 * T21: a pid recorded for an instance that now belongs to an unrelated process is never signalled.
 * T22: an instance killed while AiKore is down shows exited, or is restarted by its policy.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { FIXTURE_BLUEPRINTS, freeRange } from "./tests/helpers/harness.ts";

const ROUNDS = Number(Deno.env.get("AIKORE_T20_RUNS") ?? 20);
const MAIN = new URL("./main.ts", import.meta.url).pathname;

interface Program {
  child: Deno.ChildProcess;
  url: string;
}

class AikoreProcess {
  token = "";
  constructor(readonly dataDir: string, readonly port: number, readonly range: string) {}

  async start(): Promise<Program> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN, "serve"],
      env: {
        AIKORE_DATA_DIR: this.dataDir,
        AIKORE_LISTEN: `127.0.0.1:${this.port}`,
        AIKORE_NGINX: "off",
        AIKORE_BLUEPRINTS_DIR: FIXTURE_BLUEPRINTS,
        AIKORE_INSTANCE_PORT_RANGE: this.range,
        AIKORE_PASSWORD: "correct horse battery staple",
        AIKORE_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
        AIKORE_LOG: "error",
        AIKORE_STOP_GRACE: "1",
        AIKORE_ON_SHUTDOWN: "stop", // the final SIGTERM must leave nothing running
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const url = `http://127.0.0.1:${this.port}`;
    for (let i = 0; i < 300; i++) {
      try {
        const response = await fetch(`${url}/healthz`);
        await response.body?.cancel();
        if (response.ok) return { child, url };
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    throw new Error("AiKore did not start");
  }

  async api(url: string, method: string, path: string, body?: unknown) {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }
}

/** Processes carrying a marker of this data dir's instances. */
function census(installId: string): Map<string, number[]> {
  const byMarker = new Map<string, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (/\) Z /.test(stat)) continue; // zombies hold nothing (the test's PID 1 may not reap)
      const marker = Deno.readTextFileSync(`/proc/${entry.name}/environ`).split("\0")
        .find((v) => v.startsWith(`AIKORE_INSTANCE_ID=${installId}.`));
      if (marker) {
        const list = byMarker.get(marker) ?? [];
        list.push(Number(entry.name));
        byMarker.set(marker, list);
      }
    } catch {
      // gone
    }
  }
  return byMarker;
}

type Listed = { id: number; status: string; port: number; pid: number | null };

/** The instance list once boot reconciliation is over (nothing left in "stopping"). */
async function settled(aikore: AikoreProcess, program: Program): Promise<Listed[]> {
  for (let i = 0; i < 300; i++) {
    const list = (await aikore.api(program.url, "GET", "/api/instances")).body as Listed[];
    if (!list.some((item) => item.status === "stopping")) return list;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("instances stayed in stopping after the restart");
}

function readDb(dataDir: string) {
  const db = new DatabaseSync(`${dataDir}/aikore.db`, { readOnly: true });
  try {
    const integrity = (db.prepare("PRAGMA integrity_check").get() as { integrity_check: string })
      .integrity_check;
    const installId = (db.prepare("SELECT value FROM settings WHERE key = 'install_id'").get() as {
      value: string;
    }).value;
    return { integrity, installId };
  } finally {
    db.close();
  }
}

async function setUp() {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-crash-" });
  const port = Number((await freeRange(1)).split("-")[0]);
  const aikore = new AikoreProcess(dataDir, port, await freeRange(10));
  const program = await aikore.start();
  const login = await fetch(`${program.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: program.url },
    body: JSON.stringify({ password: "correct horse battery staple" }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrfToken } = await login.json();
  const token = await fetch(`${program.url}/api/auth/tokens`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: program.url,
      cookie,
      "x-csrf-token": csrfToken,
    },
    body: JSON.stringify({ name: "crash-test" }),
  });
  aikore.token = (await token.json()).token.token;
  return { dataDir, aikore, program };
}

Deno.test("T20: kill -9 of AiKore mid-start, running and mid-stop leaves no orphan and truthful statuses", async () => {
  const { dataDir, aikore, program: first } = await setUp();
  let program = first;
  try {
    const ids: number[] = [];
    for (
      const [name, blueprint, policy] of [
        ["running", "http_app.sh", "no"],
        ["starting", "never_opens_port.sh", "no"],
        ["stopping", "ignores_term.sh", "on-failure"],
      ]
    ) {
      const created = await aikore.api(program.url, "POST", "/api/instances", {
        name,
        base_blueprint: blueprint,
        restart_policy: policy,
      });
      assertEquals(created.status, 201);
      ids.push(created.body.id);
    }
    const { installId } = readDb(dataDir);
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of ids) {
        const state = (await aikore.api(program.url, "GET", `/api/instances/${id}`)).body.status;
        // Live ones (re-adopted after the kill: issue 13) keep running; the others start.
        if (state !== "starting" && state !== "started" && state !== "stalled") {
          assertEquals(
            (await aikore.api(program.url, "POST", `/api/instances/${id}/start`)).status,
            200,
            `round ${round}: start of ${id} (${state})`,
          );
        }
      }
      await new Promise((r) => setTimeout(r, 200 + Math.random() * 1200));
      // One stop in flight (the TERM-ignoring app takes the whole grace period) at a random moment.
      const stopping = aikore.api(program.url, "POST", `/api/instances/${ids[2]}/stop`).catch(() =>
        null
      );
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      program.child.kill("SIGKILL");
      await program.child.status;
      await stopping;

      program = await aikore.start();
      const list = await settled(aikore, program);
      const live = census(installId);
      for (const instance of list) {
        const marker = `AIKORE_INSTANCE_ID=${installId}.${instance.id}`;
        const pids = live.get(marker) ?? [];
        if (instance.status === "stopped") {
          assertEquals(pids, [], `round ${round}: stopped ${instance.id} still has processes`);
        } else {
          assert(["starting", "started", "stalled"].includes(instance.status), instance.status);
          assert(
            instance.pid !== null && pids.includes(instance.pid),
            `round ${round}: ${instance.id} pid untruthful`,
          );
        }
      }
      const ports = list.map((i) => i.port);
      assertEquals(new Set(ports).size, ports.length, "no duplicate ports");
      assertEquals(readDb(dataDir).integrity, "ok");
    }
  } finally {
    program.child.kill("SIGTERM");
    await program.child.status;
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("T21/T22: a reused pid is never signalled; an instance that died while AiKore was down is exited or restarted", async () => {
  const { dataDir, aikore, program: first } = await setUp();
  let program = first;
  const bystander = new Deno.Command("sleep", { args: ["300"] }).spawn();
  try {
    const plain = (await aikore.api(program.url, "POST", "/api/instances", {
      name: "plain",
      base_blueprint: "log_ready.sh",
    })).body;
    const policy = (await aikore.api(program.url, "POST", "/api/instances", {
      name: "policy",
      base_blueprint: "log_ready.sh",
      autostart: true,
    })).body;
    const reused = (await aikore.api(program.url, "POST", "/api/instances", {
      name: "reused",
      base_blueprint: "log_ready.sh",
    })).body;
    for (const id of [plain.id, policy.id]) {
      await aikore.api(program.url, "POST", `/api/instances/${id}/start`);
    }
    await new Promise((r) => setTimeout(r, 800));
    const { installId } = readDb(dataDir);
    program.child.kill("SIGKILL");
    await program.child.status;
    // T22: the instances die while AiKore is down.
    for (const pids of census(installId).values()) {
      for (const pid of pids) Deno.kill(pid, "SIGKILL");
    }
    // T21: a row claims the bystander's pid, with its real start time.
    const ticks = Number(
      Deno.readTextFileSync(`/proc/${bystander.pid}/stat`).split(") ")[1]?.split(" ")[19],
    );
    const db = new DatabaseSync(`${dataDir}/aikore.db`);
    db.prepare("UPDATE instances SET status = 'started', pid = ?, pid_start_ticks = ? WHERE id = ?")
      .run(bystander.pid, ticks, reused.id);
    db.close();

    program = await aikore.start();
    let byId = new Map<number, string>();
    for (let i = 0; i < 100 && byId.get(policy.id) !== "started"; i++) {
      byId = new Map((await settled(aikore, program)).map((item) => [item.id, item.status]));
      await new Promise((r) => setTimeout(r, 100));
    }
    // Its holder recorded how the app ended while AiKore was down (issue 13).
    assertEquals(byId.get(plain.id), "exited");
    assertEquals(byId.get(reused.id), "stopped");
    assert(
      ["starting", "started"].includes(byId.get(policy.id) ?? ""),
      "autostart brought it back",
    );
    await new Promise((r) => setTimeout(r, 1000));
    const alive = Deno.readTextFileSync(`/proc/${bystander.pid}/stat`);
    assert(!/\) [ZX] /.test(alive), "the unrelated process was not signalled");
  } finally {
    bystander.kill("SIGKILL");
    await bystander.status;
    program.child.kill("SIGTERM");
    await program.child.status;
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("a bad configuration value stops the program at start with a message naming it", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "serve"],
    env: {
      AIKORE_INSTANCE_PORT_RANGE: "19020-19001",
      AIKORE_DATA_DIR: "/nonexistent/never-created",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(output.code, 2);
  const stderr = new TextDecoder().decode(output.stderr);
  assert(stderr.includes("AIKORE_INSTANCE_PORT_RANGE"), stderr);
  assertEquals(await Deno.stat("/nonexistent/never-created").then(() => true, () => false), false);
});
