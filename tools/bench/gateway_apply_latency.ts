/**
 * Time from `NginxGateway.apply()` to a new instance route being live: each round adds an
 * instance (new public port + /instance/<slug>/ path) to a running gateway and polls both
 * routes on fresh connections every 2 ms from the moment apply() is called. Also prints how
 * long apply() itself took (it returns once NGINX confirmed the reload and told the old
 * workers to stop). Removing the instance again is timed as well.
 *
 * Re-run: deno run --allow-all tools/bench/gateway_apply_latency.ts [rounds=10]
 */
import { silentLogger } from "../../lib/log/mod.ts";
import { type GatewayModel, NginxGateway } from "../../lib/nginx/mod.ts";
import { startEchoApp, startFakeBackend } from "../../tests/helpers/test_apps.ts";
import { freePorts, percentile, print } from "./gateway_bench_support.ts";

const rounds = Number(Deno.args[0] ?? 10);
const SECRET = "bench-secret";

/** Polls `url` on fresh connections until `ok(body)`; returns ms since `since`. */
async function liveAfter(
  url: string,
  ok: (body: string) => boolean,
  since: number,
): Promise<number> {
  while (true) {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const response = await fetch(url, {
        client,
        headers: { Cookie: `aikore_session=${SECRET}` },
      });
      const body = await response.text();
      if (response.status === 200 && ok(body)) return performance.now() - since;
    } catch {
      // Not listening yet.
    } finally {
      client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const summary = (values: number[]) =>
  `median ${percentile(values, 50).toFixed(0)} ms, p90 ${
    percentile(values, 90).toFixed(0)
  } ms, max ${Math.max(...values).toFixed(0)} ms`;

const dir = await Deno.makeTempDir({ prefix: "aikore-bench-" });
const app = await startEchoApp();
const backend = await startFakeBackend(SECRET);
const [dashboard = 0, ...ports] = freePorts(1 + rounds);
const base: GatewayModel = {
  listenHost: "127.0.0.1",
  dashboardPort: dashboard,
  backendPort: backend.port,
  serverNames: ["127.0.0.1"],
  instances: [],
  sessionCookieName: "aikore_session",
};
const gateway = new NginxGateway({ binary: "/usr/sbin/nginx", dataDir: dir, logger: silentLogger });
await gateway.start(base);
const applied: number[] = [];
const portLive: number[] = [];
const pathLive: number[] = [];
const removed: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const slug = `bench-${round}`;
    const publicPort = ports[round] ?? 0;
    const model = {
      ...base,
      instances: [{
        slug,
        publicPort,
        upstreamPort: app.port,
        customHostname: null,
        proxy: "both" as const,
        kind: "web" as const,
      }],
    };
    const since = performance.now();
    const applying = gateway.apply(model).then((r) => {
      if (!r.ok) throw new Error(r.error ?? "apply failed");
      return performance.now() - since;
    });
    const isApp = (body: string) => body === "hello, world\n";
    const [a, viaPort, viaPath] = await Promise.all([
      applying,
      liveAfter(`http://127.0.0.1:${publicPort}/small`, isApp, since),
      liveAfter(`http://127.0.0.1:${dashboard}/instance/${slug}/small`, isApp, since),
    ]);
    applied.push(a);
    portLive.push(viaPort);
    pathLive.push(viaPath);
    const removing = performance.now();
    const result = await gateway.apply(base);
    if (!result.ok) throw new Error(result.error ?? "apply failed");
    removed.push(performance.now() - removing);
  }
  print(`gateway apply latency: ${rounds} rounds, ${navigator.hardwareConcurrency} CPUs`);
  print(`apply() returned (add):        ${summary(applied)}`);
  print(`new port route live:           ${summary(portLive)}`);
  print(`new path route live:           ${summary(pathLive)}`);
  print(`apply() returned (remove):     ${summary(removed)}`);
  print("re-run: deno run --allow-all tools/bench/gateway_apply_latency.ts [rounds]");
} finally {
  await gateway.stop();
  await Promise.all([app.close(), backend.close()]);
  await Deno.remove(dir, { recursive: true });
}
