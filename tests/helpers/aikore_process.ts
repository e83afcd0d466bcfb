import { findHolders } from "../../lib/holder/mod.ts";
import { sweepHeldShells } from "../../lib/instances/mod.ts";
/** The real program as a child process (`main.ts serve`), with an API token, for crash tests. */
import { FIXTURE_BLUEPRINTS } from "./harness.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
export const PROCESS_PASSWORD = "correct horse battery staple";

/** A started AiKore: its process and base URL. */
export interface AikoreChild {
  child: Deno.ChildProcess;
  url: string;
}

/** Starts AiKore on `port` with `dataDir` (gateway off) and waits for /healthz. */
export async function startAikore(
  dataDir: string,
  port: number,
  range: string,
  extra: Record<string, string> = {},
): Promise<AikoreChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", MAIN, "serve"],
    env: {
      AIKORE_DATA_DIR: dataDir,
      AIKORE_LISTEN: `127.0.0.1:${port}`,
      AIKORE_NGINX: "off",
      AIKORE_BLUEPRINTS_DIR: FIXTURE_BLUEPRINTS,
      AIKORE_INSTANCE_PORT_RANGE: range,
      AIKORE_PASSWORD: PROCESS_PASSWORD,
      AIKORE_NVML_LIBRARY: "/nonexistent/libnvidia-ml.so.1",
      AIKORE_LOG: "error",
      ...extra,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  let ended: Deno.CommandStatus | null = null;
  child.status.then((status) => ended = status, () => {});
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300 && ended === null; i++) {
    try {
      const response = await fetch(`${url}/healthz`);
      await response.body?.cancel();
      if (response.ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (ended === null) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error("AiKore did not answer /healthz within 15 s");
  }
  const { code } = ended as Deno.CommandStatus;
  // Exit code 2 is a start-up refusal: most likely a port another test took meanwhile.
  throw new Error(`AiKore ended before answering /healthz (exit code ${code})`);
}

/** Logs in with the password and creates an API token. */
export async function apiToken(url: string): Promise<string> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ password: PROCESS_PASSWORD }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const { csrfToken } = await login.json();
  const token = await fetch(`${url}/api/auth/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url, cookie, "x-csrf-token": csrfToken },
    body: JSON.stringify({ name: "crash-test" }),
  });
  return (await token.json()).token.token;
}

/** Calls the API with the token; returns status and parsed JSON. */
export async function callApi(
  url: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/**
 * Ends what AiKores killed by a test left running under holders in `dataDir` (instances and
 * terminals outlive AiKore by design): every held app's session gets SIGKILL.
 */
export async function endHeldProcesses(dataDir: string): Promise<void> {
  for (const found of findHolders(`${dataDir}/run`)) {
    if (found.state !== "running") continue;
    try {
      const connection = await found.handle.connect();
      await connection.signal("SIGKILL", "session");
      connection.close();
    } catch {
      // it ended meanwhile
    }
  }
  await sweepHeldShells(`${dataDir}/terms`);
}
