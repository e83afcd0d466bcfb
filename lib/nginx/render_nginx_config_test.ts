import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import type { GatewayModel } from "./gateway_model.ts";
import { nginxPaths } from "./nginx_paths.ts";
import { type NginxDirective, parseNginxConfig } from "./parse_nginx_config.ts";
import { renderNginxConfig } from "./render_nginx_config.ts";

const paths = nginxPaths("/srv/aikore data");
const model: GatewayModel = {
  listenHost: "0.0.0.0",
  dashboardPort: 9000,
  backendPort: 9100,
  serverNames: ["localhost", "127.0.0.1"],
  poolPorts: [19001, 19002, 19003],
  sessionCookieName: "aikore_session",
};

const find = (list: NginxDirective[], name: string, ...args: string[]) =>
  list.filter((d) => d.name === name && args.every((a, i) => d.args[i] === a));
const one = (list: NginxDirective[], name: string, ...args: string[]): NginxDirective => {
  const found = find(list, name, ...args);
  assertEquals(found.length, 1, `expected one ${name} ${args.join(" ")}, found ${found.length}`);
  return found[0] as NginxDirective;
};
const body = (d: NginxDirective) => d.children ?? [];
const header = (location: NginxDirective, name: string) =>
  find(body(location), "proxy_set_header", name).map((d) => d.args[1]);

const config = parseNginxConfig(renderNginxConfig(model, paths));
const http = one(config, "http");
const servers = find(body(http), "server");
const serverOn = (port: number, name?: string) =>
  servers.filter((s) =>
    find(body(s), "listen").some((l) =>
      l.args[0] === `0.0.0.0:${port}` && l.args[1] !== "default_server"
    ) &&
    (name === undefined || find(body(s), "server_name").some((n) => n.args.includes(name)))
  );

Deno.test("main context: foreground, own pid/log/temp paths, shutdown timeout set from the start", () => {
  assertEquals(one(config, "daemon").args, ["off"]);
  assertEquals(one(config, "pid").args, ["/srv/aikore data/nginx/nginx.pid"]);
  assertEquals(one(config, "error_log").args, ["/srv/aikore data/nginx/logs/error.log", "notice"]);
  assertEquals(one(config, "worker_shutdown_timeout").args, ["10s"]);
  assertEquals(find(config, "user"), []);
  assertEquals(find(config, "include"), []);
  for (const kind of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    const name = kind === "client_body" ? "body" : kind;
    assertEquals(one(body(http), `${kind}_temp_path`).args, [`/srv/aikore data/nginx/tmp/${name}`]);
  }
  const custom = parseNginxConfig(
    renderNginxConfig(model, paths, {
      shutdownTimeoutSec: 3,
      workerProcesses: 1,
      workerUser: "root",
    }),
  );
  assertEquals(one(custom, "worker_shutdown_timeout").args, ["3s"]);
  assertEquals(one(custom, "user").args, ["root"]);
});

Deno.test("the config names no instance: one server on every pool port, one for other Hosts", () => {
  const text = renderNginxConfig(model, paths);
  assertEquals(/comfy|upstream aikore_app/.test(text), false);
  const pool = servers.filter((s) => find(body(s), "listen").length === 3);
  assertEquals(pool.length, 1);
  assertEquals(find(body(pool[0] as NginxDirective), "listen").map((l) => l.args), [
    ["0.0.0.0:19001"],
    ["0.0.0.0:19002"],
    ["0.0.0.0:19003"],
  ]);
  const hosts = servers.filter((s) =>
    find(body(s), "listen").some((l) => l.args[1] === "default_server")
  );
  assertEquals(hosts.map((s) => one(body(s), "listen").args), [["0.0.0.0:9000", "default_server"]]);
  const hostServer = hosts[0] as NginxDirective;
  const custom = header(
    one(body(hostServer), "location", "=", "/_aikore_gateway_check"),
    "X-AiKore-Route",
  );
  assertEquals(custom, ["host"]);
  for (const origin of [hostServer, pool[0] as NginxDirective]) {
    const claim = one(body(origin), "location", "=", "/_aikore/claim");
    assertEquals(one(body(claim), "proxy_pass").args, ["http://aikore_backend"]);
    assertEquals(find(body(claim), "auth_request"), [], "the ticket is the credential");
  }
  assertEquals(renderNginxConfig({ ...model, poolPorts: [19001] }, paths) === text, false);
});

Deno.test("the dashboard proxies everything else to AiKore with WebSocket and forwarding headers", () => {
  const [dashboard] = serverOn(9000, "localhost");
  assert(dashboard);
  assertEquals(one(body(dashboard), "server_name").args, ["localhost", "127.0.0.1"]);
  const root = one(body(dashboard), "location", "/");
  assertEquals(one(body(root), "proxy_pass").args, ["http://aikore_backend"]);
  assertEquals(header(root, "Upgrade"), ["$http_upgrade"]);
  assertEquals(header(root, "Connection"), ["$aikore_connection"]);
  assertEquals(header(root, "X-Real-IP"), ["$remote_addr"]);
  assertEquals(header(root, "X-Forwarded-For"), ["$remote_addr"]);
  assertEquals(header(root, "X-Forwarded-Proto"), ["$aikore_forwarded_proto"]);
  assertEquals(header(root, "Host"), ["$http_host"]);
  assertEquals(one(body(http), "proxy_buffering").args, ["off"]);
  const backend = one(body(http), "upstream", "aikore_backend");
  assertEquals(one(body(backend), "server").args, ["127.0.0.1:9100"]);
});

Deno.test("instance routes ask AiKore per request where to go; apps never get its cookie or token", () => {
  const [dashboard] = serverOn(9000, "localhost");
  assert(dashboard);
  const locations = find(body(dashboard), "location").map((l) => l.args.join(" "));
  assertEquals(locations, [
    "/",
    "^~ /_aikore/gateway/",
    "= /_aikore_gateway_check",
    "~ ^/instance/[^/]+/",
    "@aikore_login",
    "@aikore_refuse",
  ]);
  assertEquals(
    one(body(one(body(dashboard), "location", "^~", "/_aikore/gateway/")), "return").args,
    ["404"],
  );
  const route = one(body(dashboard), "location", "~", "^/instance/[^/]+/");
  assertEquals(one(body(route), "auth_request").args, ["/_aikore_gateway_check"]);
  assertEquals(
    find(body(route), "auth_request_set").map((d) => d.args),
    [
      ["$aikore_port", "$upstream_http_x_aikore_upstream"],
      ["$aikore_uri", "$upstream_http_x_aikore_uri"],
      ["$aikore_kind", "$upstream_http_x_aikore_kind"],
      ["$aikore_login", "$upstream_http_x_aikore_login"],
      ["$aikore_prefix", "$upstream_http_x_aikore_prefix"],
    ],
  );
  assertEquals(one(body(route), "proxy_pass").args, [
    "http://127.0.0.1:$aikore_port$aikore_target_uri",
  ]);
  assertEquals(find(body(route), "error_page", "502"), [], "no cache, nothing to retry");
  assertEquals(find(body(http), "proxy_cache_path"), []);
  assertEquals(header(route, "Cookie"), ["$aikore_out_cookie"]);
  assertEquals(header(route, "Authorization"), ["$aikore_out_authorization"]);
  assertEquals(header(route, "X-Forwarded-Prefix"), ["$aikore_prefix"]);
  assertEquals(one(body(route), "proxy_cookie_flags").args, [
    "aikore_session",
    "nosecure",
    "samesite=none",
  ]);
  const login = one(body(dashboard), "location", "@aikore_login");
  const redirect = one(body(login), "if", "($aikore_wants_login)");
  assertEquals(one(body(redirect), "return").args, ["302", "$aikore_login"]);
  assertEquals(one(body(login), "return").args, ["401"]);
  const auth = one(body(dashboard), "location", "=", "/_aikore_gateway_check");
  assertEquals(find(body(auth), "internal").length, 1);
  assertEquals(one(body(auth), "proxy_pass").args, [
    "http://aikore_backend/_aikore/gateway/check",
  ]);
  assertEquals(one(body(auth), "proxy_pass_request_body").args, ["off"]);
  assertEquals(header(auth, "Content-Length"), [""]);
  assertEquals(header(auth, "Cookie"), ["$http_cookie"]);
  assertEquals(header(auth, "Authorization"), ["$http_authorization"]);
  assertEquals(header(auth, "X-Original-URI"), ["$request_uri"]);
  assertEquals(header(auth, "X-AiKore-Port"), ["$server_port"]);
  assertEquals(header(auth, "X-AiKore-Route"), ["path"]);
  const maps = find(body(http), "map").map((m) => m.args.join(" "));
  assert(maps.includes("$http_authorization $aikore_app_authorization"));
  const text = renderNginxConfig(model, paths);
  assert(text.includes('"~*^\\s*bearer\\s+aik_" "";'), "an AiKore token maps to no header");
  const passes = maps.filter((m) => /\$aikore_cookie_pass\d$/.test(m));
  assertEquals(passes.length, 6, "six copies stripped one by one, then the header is dropped");
});

Deno.test("with no server names the dashboard and instance servers are the defaults", () => {
  const open = parseNginxConfig(renderNginxConfig({ ...model, serverNames: [] }, paths));
  const list = find(body(one(open, "http")), "server");
  assertEquals(list.filter((s) => find(body(s), "return", "444").length > 0), []);
  assertEquals(
    list.filter((s) => find(body(s), "listen").some((l) => l.args[1] === "default_server")).length,
    1,
  );
});

Deno.test("rendering refuses invalid models and unsafe paths", () => {
  assertThrows(() => renderNginxConfig({ ...model, listenHost: "0.0.0.0;" }, paths), /listenHost/);
  assertThrows(() => nginxPaths('/srv/a"b'), /must be absolute and use only/);
  assertThrows(() => nginxPaths("/srv/$x"), /must be absolute and use only/);
  assertThrows(() => nginxPaths("relative"), /must be absolute/);
  const unsafe = { ...paths, pidFile: "/srv/x;\nuser root" };
  assertThrows(() => renderNginxConfig(model, unsafe), /Invalid gateway model: path/);
});

Deno.test("the gateway's trust header goes to AiKore's locations only, never to an app", () => {
  const secret = "0123456789abcdef0123456789abcdef";
  const trusted = parseNginxConfig(renderNginxConfig(
    { ...model, backendTrust: { header: "X-AiKore-Gateway", value: secret } },
    paths,
  ));
  const all = find(body(one(trusted, "http")), "server");
  const dashboard = all.find((s) =>
    find(body(s), "server_name").some((n) => n.args.includes("localhost"))
  );
  assert(dashboard);
  const location = (...args: string[]) => one(body(dashboard), "location", ...args);
  assertEquals(header(location("/"), "X-AiKore-Gateway"), [secret]);
  assertEquals(header(location("=", "/_aikore_gateway_check"), "X-AiKore-Gateway"), [secret]);
  for (const server of all) {
    for (
      const route of find(body(server), "location").filter((l) =>
        l.args.includes("/") || l.args[0] === "~"
      )
    ) {
      const toApp = find(body(route), "proxy_pass").some((p) =>
        p.args[0]?.includes("$aikore_port")
      );
      if (toApp) assertEquals(header(route, "X-AiKore-Gateway"), [], route.args.join(" "));
    }
  }
  assertThrows(() =>
    renderNginxConfig(
      { ...model, backendTrust: { header: "X-AiKore-Gateway", value: "x;\n" } },
      paths,
    )
  );
});

Deno.test("with a cache folder, only AiKore's marked answers are reused, keyed by every credential", () => {
  const cached = parseNginxConfig(
    renderNginxConfig(model, paths, { authCacheDir: "/dev/shm/aikore-nginx-auth-x" }),
  );
  const cachedHttp = one(cached, "http");
  assertEquals(one(body(cachedHttp), "proxy_cache_path").args.slice(0, 3), [
    "/dev/shm/aikore-nginx-auth-x",
    "levels=1",
    "keys_zone=aikore_auth:1m",
  ]);
  // No proxy_cache_valid anywhere: only X-Accel-Expires from AiKore makes an answer cacheable.
  assertEquals(
    renderNginxConfig(model, paths, { authCacheDir: "/c" }).includes("cache_valid"),
    false,
  );
  const list = find(body(cachedHttp), "server");
  const dashboard = list.find((s) => find(body(s), "server_name").length > 0) as NginxDirective;
  const port = list.find((s) => find(body(s), "listen").length === 3) as NginxDirective;
  for (const [server, route] of [[dashboard, "path"], [port, "port"]] as const) {
    const check = one(body(server), "location", "=", "/_aikore_gateway_check");
    assertEquals(one(body(check), "proxy_cache").args, ["aikore_auth"]);
    assertEquals(one(body(check), "proxy_buffering").args, ["on"]);
    const slug = route === "path" ? "$aikore_path_slug" : "";
    assertEquals(one(body(check), "proxy_cache_key").args, [
      `${route}|$server_port|$http_host|${slug}|$http_authorization|$http_cookie`,
    ]);
    assertEquals(find(body(check), "proxy_cache_bypass"), []);
    const recheck = one(body(server), "location", "=", "/_aikore_gateway_recheck");
    assertEquals(one(body(recheck), "proxy_cache_bypass").args, ["1"]);
    const head = route === "path" ? ["~", "^/instance/[^/]+/"] : ["/"];
    const main = one(body(server), "location", ...head);
    assertEquals(one(body(main), "error_page", "502").args, ["502", "=", "@aikore_retry"]);
    const retry = one(body(server), "location", "@aikore_retry");
    assertEquals(one(body(retry), "auth_request").args, ["/_aikore_gateway_recheck"]);
    assertEquals(find(body(retry), "error_page", "502"), [], "a second refusal is the answer");
  }
});
