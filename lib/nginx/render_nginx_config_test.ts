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
  instances: [
    {
      slug: "comfy",
      publicPort: 19001,
      upstreamPort: 40001,
      customHostname: "comfy.lan",
      proxy: "both",
      kind: "web",
    },
    {
      slug: "lm",
      publicPort: 19002,
      upstreamPort: 40002,
      customHostname: null,
      proxy: "port",
      kind: "vnc",
    },
    {
      slug: "flux",
      publicPort: 19003,
      upstreamPort: 40003,
      customHostname: null,
      proxy: "path",
      kind: "web",
    },
  ],
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

Deno.test("every listen address has a default server refusing unknown Hosts", () => {
  const refusing = servers.filter((s) =>
    find(body(s), "listen").some((l) => l.args[1] === "default_server")
  );
  assertEquals(refusing.map((s) => one(body(s), "listen").args[0]).sort(), [
    "0.0.0.0:19001",
    "0.0.0.0:19002",
    "0.0.0.0:9000",
  ]);
  for (const server of refusing) {
    assertEquals(one(body(server), "return").args, ["444"]);
    assertEquals(find(body(server), "location"), []);
  }
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

Deno.test("path routes: prefix stripped, auth subrequest, login redirect, long timeouts", () => {
  const [dashboard] = serverOn(9000, "localhost");
  assert(dashboard);
  const locations = find(body(dashboard), "location").map((l) => l.args.join(" "));
  assertEquals(locations, [
    "/",
    "= /_aikore/auth/comfy",
    "/instance/comfy/",
    "@aikore_login_comfy",
    "= /_aikore/auth/flux",
    "/instance/flux/",
    "@aikore_login_flux",
  ]);
  const route = one(body(dashboard), "location", "/instance/comfy/");
  assertEquals(one(body(route), "proxy_pass").args, ["http://aikore_app_comfy/"]);
  assertEquals(one(body(route), "auth_request").args, ["/_aikore/auth/comfy"]);
  assertEquals(one(body(route), "error_page").args, ["401", "=", "@aikore_login_comfy"]);
  assertEquals(header(route, "X-Forwarded-Prefix"), ["/instance/comfy"]);
  assertEquals(header(route, "Cookie"), ["$aikore_app_cookie"]);
  assertEquals(one(body(route), "proxy_read_timeout").args, ["24h"]);
  const login = one(body(dashboard), "location", "@aikore_login_comfy");
  const redirect = one(body(login), "if", "($aikore_wants_login)");
  assertEquals(one(body(redirect), "return").args, ["302", "/login?next=/instance/comfy/"]);
  assertEquals(one(body(login), "return").args, ["401"]);
  const auth = one(body(dashboard), "location", "=", "/_aikore/auth/comfy");
  assertEquals(find(body(auth), "internal").length, 1);
  assertEquals(one(body(auth), "proxy_pass").args, ["http://aikore_backend/api/auth/check"]);
  assertEquals(one(body(auth), "proxy_pass_request_body").args, ["off"]);
  assertEquals(header(auth, "Content-Length"), [""]);
  assertEquals(header(auth, "Cookie"), ["$http_cookie"]);
  assertEquals(header(auth, "Authorization"), ["$http_authorization"]);
  assertEquals(header(auth, "X-Original-URI"), ["$request_uri"]);
  assertEquals(header(auth, "X-AiKore-Instance"), ["comfy"]);
  assertEquals(header(auth, "X-AiKore-Route"), ["path"]);
});

Deno.test("port routes serve the app at the root of its own port, 401 without a redirect", () => {
  const [server] = serverOn(19001);
  assert(server);
  assertEquals(one(body(server), "server_name").args, ["localhost", "127.0.0.1", "comfy.lan"]);
  const root = one(body(server), "location", "/");
  assertEquals(one(body(root), "proxy_pass").args, ["http://aikore_app_comfy"]);
  assertEquals(one(body(root), "auth_request").args, ["/_aikore/auth"]);
  assertEquals(find(body(root), "error_page"), []);
  assertEquals(header(root, "X-Forwarded-Prefix"), []);
  const auth = one(body(server), "location", "=", "/_aikore/auth");
  assertEquals(header(auth, "X-AiKore-Route"), ["port"]);
  const [vnc] = serverOn(19002);
  assert(vnc);
  assertEquals(one(body(one(body(vnc), "location", "/")), "proxy_read_timeout").args, ["7d"]);
  assertEquals(serverOn(19003), [], "a path-only instance gets no port");
});

Deno.test("a custom host name is a server block on the dashboard port", () => {
  const [server] = serverOn(9000, "comfy.lan");
  assert(server);
  assertEquals(one(body(server), "server_name").args, ["comfy.lan"]);
  const root = one(body(server), "location", "/");
  assertEquals(one(body(root), "proxy_pass").args, ["http://aikore_app_comfy"]);
  assertEquals(header(one(body(server), "location", "=", "/_aikore/auth"), "X-AiKore-Route"), [
    "host",
  ]);
});

Deno.test("with no server names the dashboard and instance servers are the defaults", () => {
  const open = parseNginxConfig(renderNginxConfig({ ...model, serverNames: [] }, paths));
  const list = find(body(one(open, "http")), "server");
  assertEquals(list.filter((s) => find(body(s), "return", "444").length > 0), []);
  assertEquals(
    list.filter((s) => find(body(s), "listen").some((l) => l.args[1] === "default_server")).length,
    3,
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
