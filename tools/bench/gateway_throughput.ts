/**
 * Gateway throughput: a small app response (13 bytes) fetched directly and through the
 * managed NGINX (port route and /instance/<slug>/ path route, both with the per-request
 * auth_request that also decides the upstream, answered by AiKore's real check), plus the
 * same NGINX config with the auth_request lines removed and the app's port written into
 * proxy_pass, all in one run. Prints
 * req/s, mean and p99 latency, the gateway/direct ratio (target ≥ 0.9) and the cost of one
 * auth_request round trip (serial latency with minus without it). The app and the auth check
 * are separate Deno processes (gateway_bench_server.ts). Load: wrk (1 thread) when installed,
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
const SECRET = "bench-secret";
const AUTH = { Cookie: `aikore_session=${SECRET}` };

/** An NGINX on the same template minus auth_request, for the auth cost. Returns its stopper. */
async function startWithoutAuth(
  dir: string,
  model: GatewayModel,
  appPort: number,
): Promise<{ pgrp: number; stop: () => Promise<void> }> {
  const paths = nginxPaths(dir);
  await Deno.mkdir(paths.tempDir, { recursive: true });
  await Deno.mkdir(`${paths.prefix}/logs`, { recursive: true });
  const text = renderNginxConfig(model, paths).split("\n")
    .filter((line) => !/^\s*auth_request /.test(line))
    .map((line) => line.replace("$aikore_port$aikore_uri", String(appPort)))
    .join("\n");
  await Deno.writeTextFile(paths.confFile, text);
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

/** Starts gateway_bench_server.ts as `role`; returns its port and a stopper. */
async function startServer(
  role: "app" | "auth",
  routes: string[] = [],
): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const script = new URL("./gateway_bench_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", script, role, SECRET, ...routes],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const port = Number(new TextDecoder().decode(value).trim());
  return {
    port,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await reader.cancel();
      await child.status;
    },
  };
}

async function measure(
  url: string,
  headers: Record<string, string>,
  conns = connections,
): Promise<LoadResult> {
  await load({ url, connections: conns, seconds: 1, headers });
  return await load({ url, connections: conns, seconds, headers });
}

const dir = await Deno.makeTempDir({ prefix: "aikore-bench-" });
const app = await startServer("app");
const [dashboard = 0, port = 0, dashboard2 = 0, port2 = 0] = freePorts(4);
const backend = await startServer("auth", [String(port), String(app.port)]);
const model: GatewayModel = {
  listenHost: "127.0.0.1",
  dashboardPort: dashboard,
  backendPort: backend.port,
  serverNames: ["127.0.0.1"],
  poolPorts: [port],
  sessionCookieName: "aikore_session",
};
const gateway = new NginxGateway({
  binary: NGINX,
  dataDir: `${dir}/with-auth`,
  logger: silentLogger,
});
await gateway.start(model);
const plainNginx = await startWithoutAuth(`${dir}/without-auth`, {
  ...model,
  dashboardPort: dashboard2,
  poolPorts: [port2],
}, app.port);
const urls = {
  direct: `http://127.0.0.1:${app.port}/small`,
  port: `http://127.0.0.1:${port}/small`,
  path: `http://127.0.0.1:${dashboard}/instance/bench/small`,
  plain: `http://127.0.0.1:${port2}/small`,
  workDirect: `http://127.0.0.1:${app.port}/work`,
  workPort: `http://127.0.0.1:${port}/work`,
};
type Key = keyof typeof urls;
const loadAverage = async () =>
  (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
const middle = (values: number[]) => percentile(values, 50);

/** Median over rounds of each figure; the rounds interleave the targets so drift hits all alike. */
function medianResult(results: LoadResult[]): LoadResult {
  return {
    requestsPerSec: middle(results.map((r) => r.requestsPerSec)),
    meanMs: middle(results.map((r) => r.meanMs)),
    p99Ms: middle(results.map((r) => r.p99Ms)),
    errors: results.reduce((n, r) => n + r.errors, 0),
    tool: results[0]?.tool ?? "wrk",
  };
}

try {
  const loadBefore = await loadAverage();
  const lists = () => ({ direct: [], port: [], path: [], plain: [], workDirect: [], workPort: [] });
  const busy: Record<Key, LoadResult[]> = lists();
  const serial: Record<Key, LoadResult[]> = lists();
  const ratios: number[] = [];
  const gatewayGroup = { pgrp: gateway.status.pid ?? 0 };
  const cpu = { nginxAuth: 0, nginxPlain: 0, auth: 0, requestsAuth: 0, requestsPlain: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const key of Object.keys(urls) as Key[]) {
      const before = [await cpuMs(gatewayGroup), await cpuMs(plainNginx), await cpuMs(backend)];
      const result = await measure(urls[key], AUTH);
      busy[key].push(result);
      const after = [await cpuMs(gatewayGroup), await cpuMs(plainNginx), await cpuMs(backend)];
      const requests = result.requestsPerSec * seconds;
      if (key === "port") {
        cpu.nginxAuth += (after[0] ?? 0) - (before[0] ?? 0);
        cpu.auth += (after[2] ?? 0) - (before[2] ?? 0);
        cpu.requestsAuth += requests;
      } else if (key === "plain") {
        cpu.nginxPlain += (after[1] ?? 0) - (before[1] ?? 0);
        cpu.requestsPlain += requests;
      }
    }
    for (const key of ["direct", "port", "plain"] as Key[]) {
      serial[key].push(await measure(urls[key], AUTH, 1));
    }
    ratios.push(
      (busy.port.at(-1)?.requestsPerSec ?? 0) / (busy.direct.at(-1)?.requestsPerSec ?? 1),
    );
  }
  const b = Object.fromEntries(
    Object.entries(busy).map(([k, v]) => [k, medianResult(v)]),
  ) as Record<Key, LoadResult>;
  const s = Object.fromEntries(
    Object.entries(serial).map(([k, v]) => [k, medianResult(v)]),
  ) as Record<Key, LoadResult>;
  print(
    `gateway throughput: ${navigator.hardwareConcurrency} CPUs, load average ${loadBefore} → ${await loadAverage()}`,
  );
  print(`median of ${rounds} interleaved rounds, ${seconds} s per run, load by ${b.direct.tool}`);
  print(`${connections} connections:`);
  print(row("  direct to the app", b.direct));
  print(row("  gateway port route (auth)", b.port));
  print(row("  gateway path route (auth)", b.path));
  print(row("  gateway port route, no auth_request", b.plain));
  print(row("  direct, app working ~0.5 ms/request", b.workDirect));
  print(row("  gateway port route, same app", b.workPort));
  print("1 connection (serial):");
  print(row("  direct to the app", s.direct));
  print(row("  gateway port route (auth)", s.port));
  print(row("  gateway port route, no auth_request", s.plain));
  print(
    `ratio port route / direct:   ${middle(ratios).toFixed(2)} (median of per-round ratios ${
      ratios.map((r) => r.toFixed(2)).join(", ")
    }; target >= 0.9)`,
  );
  print(
    `ratio port / direct, app working 0.5 ms: ${
      (b.workPort.requestsPerSec / b.workDirect.requestsPerSec).toFixed(2)
    }`,
  );
  print(
    `ratio path route / direct:   ${(b.path.requestsPerSec / b.direct.requestsPerSec).toFixed(2)}`,
  );
  print(
    `ratio auth / no auth:        ${(b.port.requestsPerSec / b.plain.requestsPerSec).toFixed(2)}`,
  );
  // One connection: requests are back to back, so 1/throughput is the exact mean latency.
  const serialMs = (r: LoadResult) => 1000 / r.requestsPerSec;
  print(
    `auth_request round trip:     ${
      (serialMs(s.port) - serialMs(s.plain)).toFixed(3)
    } ms per request (serial)`,
  );
  print(
    `gateway hop without auth:    ${
      (serialMs(s.plain) - serialMs(s.direct)).toFixed(3)
    } ms per request (serial)`,
  );
  const perRequest = (ms: number, requests: number) => `${((ms * 1000) / requests).toFixed(1)} µs`;
  print(
    `CPU per request: nginx ${perRequest(cpu.nginxAuth, cpu.requestsAuth)} with auth_request, ${
      perRequest(cpu.nginxPlain, cpu.requestsPlain)
    } without; auth check server ${perRequest(cpu.auth, cpu.requestsAuth)} (warm-ups included)`,
  );
  print(
    "re-run: deno run --allow-all tools/bench/gateway_throughput.ts [seconds=3] [connections=32] [rounds=3]",
  );
} finally {
  await plainNginx.stop();
  await gateway.stop();
  await Promise.all([app.stop(), backend.stop()]);
  await Deno.remove(dir, { recursive: true });
}
