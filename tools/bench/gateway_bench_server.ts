/**
 * A loopback server for the gateway benchmarks, run as its own process so the app, AiKore's
 * auth check and the load generator do not share one event loop. Prints its port, then
 * serves until killed.
 *   app:  `/small` → 13 bytes; `/work` → 13 bytes after ~500 µs of CPU work (an app that
 *         does something per request, as AI web apps do); anything else → 404.
 *   auth: `/api/auth/check` → 204 with cookie `aikore_session=<secret>`, else 401.
 * Usage: deno run --allow-net tools/bench/gateway_bench_server.ts app|auth [secret]
 */
const [role = "app", secret = ""] = Deno.args;
const body = new TextEncoder().encode("hello, world\n");
const expected = `aikore_session=${secret}`;

function handle(request: Request): Response {
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
  const cookies = (request.headers.get("cookie") ?? "").split(/;\s*/);
  return new Response(null, { status: cookies.includes(expected) ? 204 : 401 });
}

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => Deno.stdout.writeSync(new TextEncoder().encode(`${port}\n`)),
}, handle);
