/**
 * A loopback server for the gateway benchmarks, run as its own process so the app, AiKore's
 * auth check and the load generator do not share one event loop. Prints its port (and, as
 * auth, a session cookie), then serves until killed.
 *   app:  `/small` → 13 bytes; `/work` → 13 bytes after ~500 µs of CPU work (an app that
 *         does something per request, as AI web apps do); anything else → 404.
 *   auth: AiKore's real per-request check (`GatewayEndpoint` over a `RouteTable`, the real
 *         `AuthService` on a fresh SQLite file) routing each pool port given and
 *         /instance/bench/ to 127.0.0.1:<appPort>; prints `<port> <cookie>` for a live session.
 * Usage: deno run -A tools/bench/gateway_bench_server.ts app | auth <appPort> <poolPort>...
 */
import { AuthService } from "../../lib/auth/mod.ts";
import { AuditRepository, openDatabase, SettingsRepository } from "../../lib/db/mod.ts";
import { GatewayEndpoint, RouteTable } from "../../lib/gateway/mod.ts";
import { silentLogger } from "../../lib/log/mod.ts";
import { routeRecord } from "../../lib/nginx/testdata/gateway_fixture.ts";

const [role = "app", appPort = "0", ...poolPorts] = Deno.args;
const body = new TextEncoder().encode("hello, world\n");

function appHandler(request: Request): Response {
  const url = new URL(request.url);
  if (url.pathname === "/work") {
    const until = performance.now() + 0.5;
    while (performance.now() < until) {
      // Busy: stands in for the app's own work.
    }
    return new Response(body);
  }
  return url.pathname === "/small" ? new Response(body) : new Response(null, { status: 404 });
}

async function authHandler(): Promise<{ handler: Deno.ServeHandler; cookie: string }> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-bench-auth-" });
  const db = openDatabase(`${dir}/aikore.db`);
  const auth = new AuthService({
    db,
    settings: new SettingsRepository(db),
    audit: new AuditRepository(db),
    logger: silentLogger,
    authEnabled: true,
  });
  const session = auth.sessions.create("127.0.0.1");
  const table = new RouteTable();
  poolPorts.forEach((port, index) =>
    table.upsert(routeRecord({
      id: index + 1,
      slug: index === 0 ? "bench" : `bench${index}`,
      port: Number(port),
      appPort: Number(appPort),
    }))
  );
  const endpoint = new GatewayEndpoint({
    table,
    settings: {
      dashboardPort: 0,
      backendPort: 0,
      dashboardNames: ["127.0.0.1"],
      poolRange: { start: 1, end: 65535 },
    },
    authenticate: (headers) => auth.authenticate(headers),
    start: () => Promise.resolve(),
    logger: silentLogger,
  });
  return {
    handler: (request) =>
      endpoint.handle(request, new URL(request.url)) ?? new Response(null, { status: 404 }),
    cookie: `aikore_session=${session.id}`,
  };
}

const { handler, cookie } = role === "app"
  ? { handler: appHandler, cookie: "" }
  : await authHandler();
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => Deno.stdout.writeSync(new TextEncoder().encode(`${port} ${cookie}\n`)),
}, handler);
