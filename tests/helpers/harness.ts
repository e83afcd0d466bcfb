/**
 * A real AiKore in process for tests: a temp data dir, a real SQLite file, the real services
 * and the real Hono app. Requests go through `app.request()` (tier 1) or a real server.
 */
import { freePortBlock } from "./free_ports.ts";
import { hermeticBaseEnv } from "./hermetic_env.ts";
import { buildApp } from "../../app.ts";
import { openServices, type Services } from "../../boot.ts";
import { type Config, loadConfig } from "../../lib/config/mod.ts";
import { silentLogger } from "../../lib/log/mod.ts";
import { hashPassword, type PasswordHasher, scryptHasher } from "../../lib/auth/mod.ts";

/** scrypt at a test cost (the OWASP cost takes ~0.7 s per hash on CI machines). */
export const FAST_HASHER: PasswordHasher = {
  hash: (password) => hashPassword(password, { N: 2 ** 12, r: 8, p: 1 }),
  verify: (password, encoded) => scryptHasher.verify(password, encoded),
};

export const FIXTURE_BLUEPRINTS = new URL("../fixtures/blueprints", import.meta.url).pathname;

export interface Harness {
  dataDir: string;
  config: Config;
  services: Services;
  app: ReturnType<typeof buildApp>["app"];
  routes: ReturnType<typeof buildApp>["router"];
  /** Sends a request with JSON body (when given) and the harness's credentials. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  /** Like request, returning status and parsed JSON. */
  // deno-lint-ignore no-explicit-any
  json<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Runs on this data dir (an AiKore started again on its data); close leaves it. */
  dataDir?: string;
  gpuCount?: number | null;
  graceMs?: number;
}

/** Starts a harness; always `await harness.close()` in a finally block. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "aikore-test-" });
  const config = loadConfig({
    AIKORE_DATA_DIR: dataDir,
    AIKORE_BLUEPRINTS_DIR: FIXTURE_BLUEPRINTS,
    AIKORE_NGINX: "off",
    AIKORE_INSTANCE_PORT_RANGE: options.env?.AIKORE_INSTANCE_PORT_RANGE ?? await freeRange(20),
    ...options.env,
  }, { cwd: Deno.cwd(), stockBlueprintsDir: FIXTURE_BLUEPRINTS });
  const gpuCount = options.gpuCount === undefined ? 2 : options.gpuCount;
  // Instances and terminals get a HOME of their own: no rc file of this machine runs in tests.
  const services = await openServices(config, silentLogger, {
    gpuCount: () => gpuCount,
    graceMs: options.graceMs ?? 2000,
    authHasher: FAST_HASHER,
    baseEnv: hermeticBaseEnv(dataDir),
  });
  const { app, router } = buildApp(services);
  // API tokens skip CSRF (no cookie): the natural credential for API-level tests.
  const token = services.auth.createToken("tests", { client: "127.0.0.1" }).token;
  const request = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    Promise.resolve(app.request(path, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        host: "127.0.0.1:9000",
        authorization: `Bearer ${token}`,
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    }));
  return {
    dataDir,
    config,
    services,
    app,
    routes: router,
    request,
    async json(method, path, body) {
      const response = await request(method, path, body);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async close() {
      await services.close();
      if (options.dataDir === undefined) {
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      }
    },
  };
}

/**
 * A port range of `size` consecutive free ports (tests run in parallel: each harness gets its
 * own pool so they never compete).
 */
export function freeRange(size: number): Promise<string> {
  const { start, end } = freePortBlock(size);
  return Promise.resolve(`${start}-${end}`);
}

/** A blueprint file text with a metadata block. */
export function blueprintText(name: string, body = "echo hello\nsleep 1000\n", extra = ""): string {
  return `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = ${name}
# aikore.category = Test
# aikore.venv_type = none
${extra}### AIKORE-METADATA-END ###
${body}`;
}

/** Lists a folder's entries, sorted (missing folder → []). */
export async function listDir(path: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** Resolves when instance `id` reaches `status` (via the event bus), or rejects after `timeoutMs`. */
export function waitForStatus(
  h: Harness,
  id: number,
  status: string,
  timeoutMs = 15_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => h.services.store.get(id)?.status === status;
    if (check()) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(
        new Error(
          `instance ${id} did not reach ${status} (is ${h.services.store.get(id)?.status})`,
        ),
      );
    }, timeoutMs);
    const unsubscribe = h.services.bus.subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

/** Pids of live processes carrying instance `id`'s marker. */
export function markedPids(h: Harness, id: number): number[] {
  const marker = h.services.lifecycle.marker(id);
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const environ = Deno.readTextFileSync(`/proc/${entry.name}/environ`);
      if (environ.split("\0").includes(`AIKORE_INSTANCE_ID=${marker}`)) {
        pids.push(Number(entry.name));
      }
    } catch {
      // gone or not readable
    }
  }
  return pids;
}
