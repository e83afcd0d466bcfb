/**
 * Cost of `GET /api/auth/check`, the endpoint NGINX `auth_request` calls for every proxied
 * request, in process via `app.request()` through the full security middleware (Host check,
 * headers, auth, CSRF, body limit). Target: median < 0.3 ms with a session cookie. Also with a
 * bearer token, without credentials, and a bare Hono route as the floor, measured in the same run.
 *
 *   deno run --allow-all tools/bench/auth_check.ts
 */
import { Hono } from "hono";
import { createAuthTestApp, peerEnv } from "../../tests/helpers/auth_app.ts";

const BATCH = 100;
const BATCHES = 200;
const WARMUP = 3000;
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

type Fetch = (path: string, init: RequestInit, env: unknown) => Response | Promise<Response>;

/** Median and p90 per request in ms, timed in batches so timer resolution does not matter. */
async function measure(fetch: Fetch, headers: Record<string, string>, want: number) {
  const env = peerEnv("127.0.0.1");
  const once = async () => {
    const res = await fetch("/api/auth/check", { headers }, env);
    if (res.status !== want) throw new Error(`expected ${want}, got ${res.status}`);
  };
  for (let i = 0; i < WARMUP; i++) await once();
  const perRequest: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const started = performance.now();
    for (let i = 0; i < BATCH; i++) await once();
    perRequest.push((performance.now() - started) / BATCH);
  }
  perRequest.sort((x, y) => x - y);
  const at = (q: number) => perRequest[Math.floor(q * (perRequest.length - 1))] ?? 0;
  return { median: at(0.5), p90: at(0.9) };
}

const t = await createAuthTestApp();
try {
  const { cookie } = await t.login(undefined, "127.0.0.1");
  const { token } = t.auth.createToken("bench", { client: "bench" });
  const gateway = { "X-Real-IP": "192.0.2.44", Host: "localhost:9000" };
  const app: Fetch = (path, init, env) => t.app.request(path, init, env);
  const floorApp = new Hono();
  floorApp.get("/api/auth/check", (c) => c.body(null, 204));
  const floor: Fetch = (path, init, env) => floorApp.request(path, init, env);

  const rows: Array<[string, { median: number; p90: number }]> = [
    ["session cookie", await measure(app, { ...gateway, Cookie: cookie }, 204)],
    ["bearer token", await measure(app, { ...gateway, Authorization: `Bearer ${token}` }, 204)],
    ["no credentials (401)", await measure(app, gateway, 401)],
    ["bare Hono route (floor)", await measure(floor, gateway, 204)],
  ];
  const floorMedian = rows[3]?.[1].median ?? 1;
  print(`GET /api/auth/check in process, ${BATCHES}×${BATCH} requests each (ms per request):`);
  for (const [name, r] of rows) {
    print(
      `  ${name.padEnd(24)} median ${r.median.toFixed(4)}  p90 ${r.p90.toFixed(4)}  ` +
        `(${(r.median / floorMedian).toFixed(1)}× floor)`,
    );
  }
  const session = rows[0]?.[1].median ?? Infinity;
  print(`target: session median < 0.3 ms → ${session < 0.3 ? "met" : "MISSED"}`);
  print("re-run: deno run --allow-all tools/bench/auth_check.ts");
} finally {
  await t.close();
}
