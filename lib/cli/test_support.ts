/**
 * Test helpers for the command line: the real program as a child process, and a real AiKore
 * server (in this process, on an ephemeral port) with an API token created through the API.
 */
import { loadConfig } from "../config/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { type RunningServer, type StartOptions, startServer } from "../../server.ts";
import { FAST_HASHER, FIXTURE_BLUEPRINTS, freeRange } from "../../tests/helpers/harness.ts";
import { login, TEST_PASSWORD } from "../../tests/helpers/server_harness.ts";
import { callApi } from "../../tests/helpers/aikore_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** What one run of `aikore …` did. */
export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child: only what Deno needs to run (PATH, its cache under HOME or
 * DENO_DIR) plus `env`; nothing AIKORE_* leaks in from the test runner.
 */
export function childEnv(env: Record<string, string>): Record<string, string> {
  const keep: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) keep[name] = value;
  }
  return { ...keep, NO_COLOR: "1", ...env };
}

/** Spawns `deno run -A main.ts ARGS` (stdin: the given text, or closed). */
export function spawnProgram(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; stdin?: boolean },
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, ...args],
    cwd: options.cwd ?? Deno.cwd(),
    env: childEnv(options.env),
    clearEnv: true,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs `aikore ARGS` to the end. */
export async function runProgram(
  args: string[],
  options: { env: Record<string, string>; cwd?: string; input?: string },
): Promise<ProgramRun> {
  const child = spawnProgram(args, { ...options, stdin: options.input !== undefined });
  if (options.input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.input));
    await writer.close();
  }
  const output = await child.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** A running AiKore for the `instances` commands. */
export interface ApiServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  /** A token created through POST /api/auth/tokens by a signed-in session. */
  token: string;
  /** An API call with the token; the parsed JSON body. */
  // deno-lint-ignore no-explicit-any
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Creates an instance through the API (it must answer 201). */
  create(name: string, blueprint: string): Promise<{ id: number; port: number }>;
  close(): Promise<void>;
}

/**
 * Starts AiKore (no nginx, no NVML library unless `env` names one) on an ephemeral port; `start`
 * may shorten the idle-stop minute.
 */
export async function startApiServer(
  start: Pick<StartOptions, "idleTiming"> = {},
  env: Record<string, string> = {},
): Promise<ApiServer> {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-cli-srv-" });
  const config = loadConfig({
    AIKORE_DATA_DIR: dataDir,
    AIKORE_BLUEPRINTS_DIR: FIXTURE_BLUEPRINTS,
    AIKORE_NGINX: "off",
    AIKORE_INSTANCE_PORT_RANGE: await freeRange(10),
    AIKORE_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
    AIKORE_PASSWORD: TEST_PASSWORD,
    ...env,
  }, { cwd: Deno.cwd(), stockBlueprintsDir: FIXTURE_BLUEPRINTS });
  // Port 0: the kernel picks a free port; with nginx off the backend URL is the dashboard.
  const server = await startServer(
    { ...config, listen: { hostname: "127.0.0.1", port: 0 } },
    silentLogger,
    { graceMs: 2000, authHasher: FAST_HASHER, ...start },
  );
  const url = server.backendUrl;
  const session = await login(url, TEST_PASSWORD);
  const created = await fetch(`${url}/api/auth/tokens`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: url,
      cookie: session.cookie,
      "x-csrf-token": session.csrfToken,
    },
    body: JSON.stringify({ name: "cli-tests" }),
  });
  if (created.status !== 201) throw new Error(`token: ${created.status} ${await created.text()}`);
  const token = (await created.json()).token.token as string;
  const api: ApiServer["api"] = (method, path, body) => callApi(url, token, method, path, body);
  return {
    server,
    url,
    dataDir,
    token,
    api,
    async create(name, blueprint) {
      const created = await api("POST", "/api/instances", { name, base_blueprint: blueprint });
      if (created.status !== 201) {
        throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
      }
      return created.body as { id: number; port: number };
    },
    async close() {
      await server.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
