/**
 * Gateway throughput, before and after the auth cache, in one run: a small app response
 * (13 bytes) and an app doing ~0.5 ms of work per request, fetched directly and through three
 * managed NGINX configs rendered by lib/nginx: "after" (auth_request whose answers nginx may
 * reuse through the current second), "before" (the same config with the cache off: AiKore
 * is asked on every request) and "no auth" (the same config with the auth_request lines
 * removed and the app's port written into proxy_pass), plus that last one with keepalive to
 * the app (what apps on fixed, rendered upstream ports would allow). AiKore's check is the real
 * `GatewayEndpoint` over the real `AuthService` and SQLite (gateway_bench_server.ts, its own
 * process). Prints req/s, latency, the port/direct and auth/no-auth ratios (target ≥ 0.95) and
 * the CPU of nginx and of AiKore per proxied request. Load: wrk (1 thread) when installed,
 * else concurrent fetch loops. Everything shares this machine's cores.
 *
 * Re-run: deno run --allow-all tools/bench/gateway_throughput.ts [seconds=3] [connections=32] [rounds=3]
 */
import { silentLogger } from "../../lib/log/mod.ts";
import {
  type GatewayModel,
  NginxGateway,
  nginxPaths,
  renderNginxConfig,
  type RenderSettings,
} from "../../lib/nginx/mod.ts";
import {
  cpuMs,
  freePorts,
  load,
  type LoadResult,
  percentile,
  print,
  row,
} from "./gateway_bench_support.ts";

const seconds = Number(Deno.args[0] ?? 3);
const connections = Number(Deno.args[1] ?? 32);
const rounds = Number(Deno.args[2] ?? 3);
const NGINX = "/usr/sbin/nginx";

/** An NGINX on `text` (rendered by lib/nginx, maybe edited). Returns its group and stopper. */
async function startNginx(
  dir: string,
  edit: (paths: ReturnType<typeof nginxPaths>) => string,
): Promise<{ pgrp: number; stop: () => Promise<void> }> {
  const paths = nginxPaths(dir);
  await Deno.mkdir(paths.tempDir, { recursive: true });
  await Deno.mkdir(`${paths.prefix}/logs`, { recursive: true });
  await Deno.writeTextFile(paths.confFile, edit(paths));
  const child = new Deno.Command(NGINX, {
    args: ["-p", `${paths.prefix}/`, "-c", paths.confFile, "-e", paths.errorLog],
    detached: true,
    stdout: "null",
    stderr: "null",
  }).spawn();
  while ((await Deno.readTextFile(paths.pidFile).catch(() => "")).trim() !== String(child.pid)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    pgrp: child.pid,
    stop: async () => {
      Deno.kill(-child.pid, "SIGTERM");
      await child.status;
    },
  };
}

/** The config of `model` without auth_request: the app's port written into proxy_pass. */
function withoutAuth(model: GatewayModel, paths: ReturnType<typeof nginxPaths>, appPort: number) {
  return renderNginxConfig(model, paths).split("\n")
    .filter((line) => !/^\s*auth_request /.test(line))
    .map((line) => line.replace("$aikore_port$aikore_target_uri", `${appPort}$request_uri`))
    .join("\n");
}

/** Starts gateway_bench_server.ts as `role`; returns its port, cookie (auth) and a stopper. */
async function startServer(role: "app" | "auth", args: string[] = []) {
  const script = new URL("./gateway_bench_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, role, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const [port = "0", cookie = ""] = new TextDecoder().decode(value).trim().split(" ");
  return {
    port: Number(port),
    cookie,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await reader.cancel();
      await child.status;
    },
  };
}

async function measure(url: string, headers: Record<string, string>, conns = connections) {
  await load({ url, connections: conns, seconds: 1, headers });
  return await load({ url, connections: conns, seconds, headers });
}

/** Median of each figure over rounds (the rounds interleave the targets, so drift hits all). */
function medianResult(results: LoadResult[]): LoadResult {
  const middle = (values: number[]) => percentile(values, 50);
  return {
    requestsPerSec: middle(results.map((r) => r.requestsPerSec)),
    meanMs: middle(results.map((r) => r.meanMs)),
    p99Ms: middle(results.map((r) => r.p99Ms)),
    errors: results.reduce((n, r) => n + r.errors, 0),
    tool: results[0]?.tool ?? "wrk",
  };
}

const loadAverage = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const dir = await Deno.makeTempDir({ prefix: "aikore-bench-" });
const app = await startServer("app");
const [d1 = 0, p1 = 0, d2 = 0, p2 = 0, d3 = 0, p3 = 0, d4 = 0, p4 = 0] = freePorts(8);
const backend = await startServer("auth", [String(app.port), String(p1), String(p2)]);
const AUTH = { Cookie: backend.cookie };
const model = (dashboardPort: number, pool: number): GatewayModel => ({
  listenHost: "127.0.0.1",
  dashboardPort,
  backendPort: backend.port,
  serverNames: ["127.0.0.1"],
  poolPorts: [pool],
  sessionCookieName: "aikore_session",
});
const rendered =
  (settings: RenderSettings, m: GatewayModel) => (paths: ReturnType<typeof nginxPaths>) =>
    renderNginxConfig(m, paths, settings);
const after = new NginxGateway({ binary: NGINX, dataDir: `${dir}/after`, logger: silentLogger });
await after.start(model(d1, p1));
const before = await startNginx(`${dir}/before`, rendered({}, model(d2, p2)));
const plain = await startNginx(
  `${dir}/plain`,
  (paths) => withoutAuth(model(d3, p3), paths, app.port),
);
// What keepalive to the app would add (apps on ports from a fixed range, rendered as upstreams).
const pooled = await startNginx(
  `${dir}/pooled`,
  (paths) =>
    withoutAuth(model(d4, p4), paths, app.port)
      .replace(
        "  upstream aikore_backend {",
        `  upstream bench_app {\n    server 127.0.0.1:${app.port};\n    keepalive 64;\n  }\n  upstream aikore_backend {`,
      )
      .replaceAll(`http://127.0.0.1:${app.port}$request_uri`, "http://bench_app$request_uri"),
);
const url = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
const urls = {
  direct: url(app.port, "/small"),
  after: url(p1, "/small"),
  before: url(p2, "/small"),
  plain: url(p3, "/small"),
  pooled: url(p4, "/small"),
  path: url(d1, "/instance/bench/small"),
  workDirect: url(app.port, "/work"),
  workAfter: url(p1, "/work"),
  workBefore: url(p2, "/work"),
  workPlain: url(p3, "/work"),
};
type Key = keyof typeof urls;
const groups: Partial<Record<Key, { pgrp: number }>> = {
  after: { pgrp: after.status.pid ?? 0 },
  before,
  plain,
  pooled,
};

try {
  const loadBefore = await loadAverage();
  const busy = {} as Record<Key, LoadResult[]>;
  const serial = {} as Record<Key, LoadResult[]>;
  const cpu = { nginx: {} as Record<string, number>, aikore: {} as Record<string, number> };
  const requests = {} as Record<string, number>;
  for (let round = 0; round < rounds; round++) {
    for (const key of Object.keys(urls) as Key[]) {
      const group = groups[key];
      const start = [group ? await cpuMs(group) : 0, await cpuMs(backend)];
      const result = await measure(urls[key], AUTH);
      (busy[key] ??= []).push(result);
      if (group) {
        cpu.nginx[key] = (cpu.nginx[key] ?? 0) + (await cpuMs(group)) - (start[0] ?? 0);
        cpu.aikore[key] = (cpu.aikore[key] ?? 0) + (await cpuMs(backend)) - (start[1] ?? 0);
        requests[key] = (requests[key] ?? 0) + result.requestsPerSec * seconds;
      }
    }
    for (const key of ["direct", "after", "before", "plain"] as Key[]) {
      (serial[key] ??= []).push(await measure(urls[key], AUTH, 1));
    }
  }
  const median = (results: Record<Key, LoadResult[]>) =>
    Object.fromEntries(Object.entries(results).map(([k, v]) => [k, medianResult(v)])) as Record<
      Key,
      LoadResult
    >;
  const b = median(busy);
  const s = median(serial);
  const ratio = (x: LoadResult, y: LoadResult) => (x.requestsPerSec / y.requestsPerSec).toFixed(2);
  const perRequest = (ms: number | undefined, key: Key) =>
    `${(((ms ?? 0) * 1000) / (requests[key] ?? 1)).toFixed(1)} µs`;
  print(
    `gateway throughput: ${navigator.hardwareConcurrency} CPUs, load average ${loadBefore} → ${await loadAverage()}`,
  );
  print(`median of ${rounds} interleaved rounds, ${seconds} s per run, load by ${b.direct.tool}`);
  print(`${connections} connections:`);
  print(row("  direct to the app (13 B)", b.direct));
  print(row("  port route, auth cached (after)", b.after));
  print(row("  port route, auth each request (before)", b.before));
  print(row("  port route, no auth_request", b.plain));
  print(row("  no auth, app upstream keepalive", b.pooled));
  print(row("  path route, auth cached (after)", b.path));
  print(row("  direct, app working ~0.5 ms", b.workDirect));
  print(row("  port route, same app, after", b.workAfter));
  print(row("  port route, same app, before", b.workBefore));
  print(row("  port route, same app, no auth", b.workPlain));
  print("1 connection (serial):");
  print(row("  direct to the app", s.direct));
  print(row("  port route, after", s.after));
  print(row("  port route, before", s.before));
  print(row("  port route, no auth_request", s.plain));
  print("ratios (32 connections)               before   after");
  print(
    `  port / direct, 13-byte app            ${ratio(b.before, b.direct)}    ${
      ratio(b.after, b.direct)
    }`,
  );
  print(
    `  port / direct, 0.5 ms app             ${ratio(b.workBefore, b.workDirect)}    ${
      ratio(b.workAfter, b.workDirect)
    }`,
  );
  print(
    `  auth / no auth, 13-byte app (≥ 0.95)  ${ratio(b.before, b.plain)}    ${
      ratio(b.after, b.plain)
    }`,
  );
  print(
    `  auth / no auth, 0.5 ms app            ${ratio(b.workBefore, b.workPlain)}    ${
      ratio(b.workAfter, b.workPlain)
    }`,
  );
  print(`  no auth with app keepalive / direct  ${ratio(b.pooled, b.direct)} (not shipped)`);
  print(`  path / direct, after                         ${ratio(b.path, b.direct)}`);
  const serialMs = (r: LoadResult) => 1000 / r.requestsPerSec;
  print(
    `auth cost per request (serial latency minus no-auth): before ${
      (serialMs(s.before) - serialMs(s.plain)).toFixed(3)
    } ms, after ${(serialMs(s.after) - serialMs(s.plain)).toFixed(3)} ms`,
  );
  print("CPU per proxied request (13-byte app, warm-ups included):");
  for (const key of ["before", "after", "plain", "pooled"] as Key[]) {
    print(
      `  ${key.padEnd(7)} nginx ${perRequest(cpu.nginx[key], key)}, AiKore ${
        perRequest(cpu.aikore[key], key)
      }`,
    );
  }
  print(
    "re-run: deno run --allow-all tools/bench/gateway_throughput.ts [seconds=3] [connections=32] [rounds=3]",
  );
} finally {
  await Promise.all([before.stop(), plain.stop(), pooled.stop(), after.stop()]);
  await Promise.all([app.stop(), backend.stop()]);
  await Deno.remove(dir, { recursive: true });
}
