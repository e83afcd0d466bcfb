/**
 * A loopback server for the gateway benchmarks, run as its own process so the app, AiKore's
 * auth check and the load generator do not share one event loop. Prints its port, then
 * serves until killed.
 *   app:  `/small` → 13 bytes; `/work` → 13 bytes after ~500 µs of CPU work (an app that
 *         does something per request, as AI web apps do); anything else → 404.
 *   auth: AiKore's real per-request check (`GatewayEndpoint` over a `RouteTable`) routing
 *         pool port <poolPort> and /instance/bench/ to 127.0.0.1:<appPort>, for requests
 *         with cookie `aikore_session=<secret>` (else 401).
 * Usage: deno run --allow-net tools/bench/gateway_bench_server.ts app|auth [secret] [poolPort] [appPort]
 */
import { GatewayEndpoint, RouteTable } from "../../lib/gateway/mod.ts";
import { silentLogger } from "../../lib/log/mod.ts";
import { routeRecord } from "../../lib/nginx/testdata/gateway_fixture.ts";

const [role = "app", secret = "", poolPort = "0", appPort = "0"] = Deno.args;
const body = new TextEncoder().encode("hello, world\n");
const expected = `aikore_session=${secret}`;

function handle(request: Request): Response | Promise<Response> {
  const url = new URL(request.url);
  if (role === "app") {
    if (url.pathname === "/work") {
      const until = performance.now() + 0.5;
      while (performance.now() < until) {
        // Busy: stands in for the app's own work.
      }
      return new Response(body);
    }
    return url.pathname === "/small" ? new Response(body) : new Response(null, { status: 404 });
  }
  return endpoint.handle(request, url) ?? new Response(null, { status: 404 });
}

const table = new RouteTable();
table.upsert(
  routeRecord({ id: 1, slug: "bench", port: Number(poolPort), appPort: Number(appPort) }),
);
const endpoint = new GatewayEndpoint({
  table,
  settings: {
    dashboardPort: 0,
    backendPort: 0,
    dashboardNames: ["127.0.0.1"],
    poolRange: { start: 1, end: 65535 },
  },
  authenticate: (headers) =>
    (headers.get("cookie") ?? "").split(/;\s*/).includes(expected)
      ? { kind: "session", actor: "bench", csrfToken: null }
      : null,
  start: () => Promise.resolve(),
  logger: silentLogger,
});

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => Deno.stdout.writeSync(new TextEncoder().encode(`${port}\n`)),
}, handle);
