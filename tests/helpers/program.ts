/**
 * The real program as a child process (`deno run main.ts serve`) on a temp data dir, with its
 * own blueprints folder, nginx off and a bearer token: for tests where a crash is the symptom.
 */
import { DatabaseSync } from "node:sqlite";
import { freeRange } from "./harness.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const PASSWORD = "correct horse battery staple";

/** A blueprint with a metadata block (`metadata` adds keys after the health) and a bash body. */
export function testBlueprint(
  name: string,
  body: string,
  health = "process",
  metadata: Record<string, string | number | boolean> = {},
): string {
  const extra = Object.entries(metadata).map(([key, value]) => `# aikore.${key} = ${value}\n`);
  return `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = ${name}
# aikore.category = Test
# aikore.description = ${name}
# aikore.venv_type = none
# aikore.health = ${health}
${extra.join("")}### AIKORE-METADATA-END ###
${body}
`;
}

export interface ProgramOptions {
  dataDir: string;
  blueprints: Record<string, string>;
  env?: Record<string, string>;
}

/** One AiKore process; `start` can be called again after a kill (same data dir and port). */
export class Program {
  child: Deno.ChildProcess | null = null;
  url = "";
  token = "";
  #port = 0;
  #range = "";
  #blueprintDir = "";
  #stderr: Promise<string> = Promise.resolve("");

  constructor(readonly options: ProgramOptions) {}

  /**
   * Starts AiKore and waits until it is ready (/healthz 200: boot reconciliation done), or
   * with `listening` only until it answers at all (503 while reconciliation still runs).
   */
  async start(wait: "ready" | "listening" = "ready"): Promise<void> {
    if (!this.#port) {
      this.#port = Number((await freeRange(1)).split("-")[0]);
      this.#range = await freeRange(10);
      this.#blueprintDir = await Deno.makeTempDir({ prefix: "aikore-bp-" });
      for (const [file, text] of Object.entries(this.options.blueprints)) {
        await Deno.writeTextFile(`${this.#blueprintDir}/${file}`, text);
      }
    }
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", MAIN, "serve"],
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: this.options.dataDir,
        AIKORE_DATA_DIR: this.options.dataDir,
        AIKORE_LISTEN: `127.0.0.1:${this.#port}`,
        AIKORE_NGINX: "off",
        AIKORE_BLUEPRINTS_DIR: this.#blueprintDir,
        AIKORE_INSTANCE_PORT_RANGE: this.#range,
        AIKORE_PASSWORD: PASSWORD,
        AIKORE_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
        AIKORE_LOG: "warn",
        AIKORE_STOP_GRACE: "1",
        // close() must leave nothing behind; tests of the default ("leave") set it themselves.
        AIKORE_ON_SHUTDOWN: "stop",
        ...this.options.env,
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.child = child;
    this.#stderr = new Response(child.stderr).text();
    this.url = `http://127.0.0.1:${this.#port}`;
    for (let i = 0; i < 400; i++) {
      const status = await this.#health();
      if (status === 200 || (wait === "listening" && status === 503)) {
        if (!this.token) await this.#issueToken();
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    throw new Error(`AiKore did not start: ${await this.#stderr}`);
  }

  /** True while /healthz answers that AiKore is up and ready. */
  async alive(): Promise<boolean> {
    return await this.#health() === 200;
  }

  /** /healthz's status, or null while nothing listens (yet, or any more). */
  async #health(): Promise<number | null> {
    try {
      const response = await fetch(`${this.url}/healthz`);
      await response.body?.cancel();
      return response.status;
    } catch {
      return null;
    }
  }

  async #issueToken(): Promise<void> {
    const login = await fetch(`${this.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: this.url },
      body: JSON.stringify({ password: PASSWORD }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const { csrfToken } = await login.json();
    const token = await fetch(`${this.url}/api/auth/tokens`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: this.url,
        cookie,
        "x-csrf-token": csrfToken,
      },
      body: JSON.stringify({ name: "program-test" }),
    });
    this.token = (await token.json()).token.token;
  }

  // deno-lint-ignore no-explicit-any
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  /** Polls until instance `id` has one of `statuses`. */
  async waitFor(id: number, statuses: string[], timeoutMs = 15_000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    let status = "";
    while (performance.now() < deadline) {
      status = (await this.api("GET", `/api/instances/${id}`)).body?.status;
      if (statuses.includes(status)) return status;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`instance ${id} stayed ${status}, expected ${statuses.join("|")}`);
  }

  /** The exit code when the program has ended by itself, else null (it is still running). */
  async exitedCode(): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    const ended = await Promise.race([
      child.status.then((s) => s.code),
      new Promise<null>((r) => setTimeout(() => r(null), 10)),
    ]);
    return ended;
  }

  /** What the program wrote to stderr (after it ended). */
  stderr(): Promise<string> {
    return this.#stderr;
  }

  async kill(signal: Deno.Signal = "SIGKILL"): Promise<void> {
    const child = this.child;
    if (!child) return;
    try {
      child.kill(signal);
    } catch {
      // already ended
    }
    await child.status;
    await this.#stderr.catch(() => "");
    this.child = null;
  }

  async close(): Promise<void> {
    await this.kill("SIGTERM");
    if (this.#blueprintDir) await Deno.remove(this.#blueprintDir, { recursive: true });
  }
}

/** Live (non-zombie) processes whose environment carries `AIKORE_INSTANCE_ID=<prefix>…`. */
export function markedProcesses(markerPrefix: string): Map<string, number[]> {
  const byMarker = new Map<string, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (/\) [ZX] /.test(stat)) continue;
      const marker = Deno.readTextFileSync(`/proc/${entry.name}/environ`).split("\0")
        .find((v) => v.startsWith(`AIKORE_INSTANCE_ID=${markerPrefix}`));
      if (marker) byMarker.set(marker, [...(byMarker.get(marker) ?? []), Number(entry.name)]);
    } catch {
      // the process ended while we looked
    }
  }
  return byMarker;
}

/** The install id of a data dir (the first part of every instance marker). */
export function installIdOf(dataDir: string): string {
  const db = new DatabaseSync(`${dataDir}/aikore.db`, { readOnly: true });
  try {
    return (db.prepare("SELECT value FROM settings WHERE key = 'install_id'").get() as {
      value: string;
    }).value;
  } finally {
    db.close();
  }
}
