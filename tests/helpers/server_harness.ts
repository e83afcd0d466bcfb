/**
 * A real AiKore HTTP server in process (tier 2): real sockets for SSE, WebSockets, nginx and
 * Chromium tests.
 */
import { hermeticBaseEnv } from "./hermetic_env.ts";
import { loadConfig } from "../../lib/config/mod.ts";
import { silentLogger } from "../../lib/log/mod.ts";
import { type RunningServer, type StartOptions, startServer } from "../../server.ts";
import { FAST_HASHER, FIXTURE_BLUEPRINTS, freeRange } from "./harness.ts";

/** The password the server harness sets (AIKORE_PASSWORD). */
export const TEST_PASSWORD = "correct horse battery staple";

/** Logs in through the API: the session cookie and its CSRF token. */
export async function login(
  baseUrl: string,
  password: string,
): Promise<{ cookie: string; csrfToken: string }> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ password }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`login failed: ${response.status} ${JSON.stringify(body)}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { cookie, csrfToken: body.csrfToken };
}

export interface ServerHarness {
  server: RunningServer;
  dataDir: string;
  /** The dashboard URL (nginx when managed). */
  url: string;
  /** fetch() against the dashboard with the harness's credentials. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Headers that authenticate a WebSocket or fetch made by hand. */
  authHeaders(): Record<string, string>;
  close(): Promise<void>;
}

/** Starts AiKore on free ports with a temp data dir; `env` overrides the configuration. */
export async function startServerHarness(
  env: Record<string, string> = {},
  options: {
    prepare?: (dataDir: string) => void | Promise<void>;
    /** Start options beyond the harness's own (e.g. a shorter idle-stop minute). */
    start?: Pick<StartOptions, "idleTiming">;
  } = {},
): Promise<ServerHarness> {
  const dataDir = await Deno.makeTempDir({ prefix: "aikore-srv-" });
  await options.prepare?.(dataDir);
  const port = (await freeRange(1)).split("-")[0];
  const config = loadConfig({
    AIKORE_DATA_DIR: dataDir,
    AIKORE_LISTEN: `127.0.0.1:${port}`,
    AIKORE_BLUEPRINTS_DIR: FIXTURE_BLUEPRINTS,
    AIKORE_NGINX: "off",
    AIKORE_INSTANCE_PORT_RANGE: await freeRange(10),
    AIKORE_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
    AIKORE_PASSWORD: TEST_PASSWORD,
    ...env,
  }, { cwd: Deno.cwd(), stockBlueprintsDir: FIXTURE_BLUEPRINTS });
  const server = await startServer(config, silentLogger, {
    graceMs: 2000,
    authHasher: FAST_HASHER,
    baseEnv: hermeticBaseEnv(dataDir),
    ...options.start,
  });
  const credentials = await login(server.dashboardUrl, config.initialPassword ?? TEST_PASSWORD);
  const authHeaders = (): Record<string, string> => ({
    cookie: credentials.cookie,
    "x-csrf-token": credentials.csrfToken,
    origin: server.dashboardUrl,
  });
  return {
    server,
    dataDir,
    url: server.dashboardUrl,
    authHeaders,
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(authHeaders())) headers.set(name, value);
      if (init.body !== undefined && !headers.has("content-type")) {
        headers.set("content-type", "application/json");
      }
      return fetch(`${server.dashboardUrl}${path}`, { ...init, headers });
    },
    async close() {
      await server.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Reads server-sent events from a response body. */
export async function* readSse(
  response: Response,
): AsyncGenerator<{ event: string; id: string | null; data: string }> {
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) return;
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        let id: string | null = null;
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("id:")) id = line.slice(3).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length) yield { event, id, data: data.join("\n") };
      }
    }
  } catch (error) {
    if (!(error instanceof DOMException && error.name === "AbortError")) throw error;
  } finally {
    reader.releaseLock();
  }
}
