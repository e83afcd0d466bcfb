import { block, directive as d, quotedPath } from "./config_text.ts";
import type { GatewayModel, RenderSettings } from "./gateway_model.ts";
import { configPathProblem, type NginxPaths } from "./nginx_paths.ts";
import {
  appUpstream,
  backendLocation,
  instanceServers,
  pathRoute,
  refuseUnknownHosts,
  serverHead,
} from "./render_routes.ts";
import {
  assertValidGatewayModel,
  InvalidGatewayModelError,
  listenAddress,
  resolveRenderSettings,
} from "./validate_gateway_model.ts";

function assertSafePaths(paths: NginxPaths): void {
  const problems = [paths.pidFile, paths.errorLog, paths.tempDir]
    .map(configPathProblem)
    .filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw new InvalidGatewayModelError(problems);
}

function maps(sessionCookieName: string | undefined): string[] {
  const lines = [
    ...block("map $http_upgrade $aikore_connection", [d("default", "upgrade"), d('""', '""')]),
    // Only a claim of https is trusted: at worst it makes cookies Secure for a lying client.
    ...block("map $http_x_forwarded_proto $aikore_forwarded_proto", [
      d("default", "$scheme"),
      d("https", "https"),
    ]),
    ...block("map $http_accept $aikore_accepts_html", [d("default", 0), d('"~*text/html"', 1)]),
    ...block("map $http_sec_fetch_mode $aikore_wants_login", [
      d("default", 0),
      d("navigate", 1),
      d('""', "$aikore_accepts_html"),
    ]),
  ];
  if (sessionCookieName === undefined) return lines;
  // Two passes so a duplicated session cookie (two paths) is removed as well.
  const strip = (source: string, target: string, tag: string) =>
    block(`map ${source} ${target}`, [
      d("default", source),
      d(
        `"~^${sessionCookieName}=[^;]*(?:;\\s*)?(?<aikore_${tag}_rest>.*)$"`,
        `$aikore_${tag}_rest`,
      ),
      d(
        `"~^(?<aikore_${tag}_head>.*?);\\s*${sessionCookieName}=[^;]*(?<aikore_${tag}_tail>.*)$"`,
        `"$aikore_${tag}_head$aikore_${tag}_tail"`,
      ),
    ]);
  return [
    ...lines,
    ...strip("$http_cookie", "$aikore_app_cookie_once", "c1"),
    ...strip("$aikore_app_cookie_once", "$aikore_app_cookie", "c2"),
  ];
}

function upstreams(model: GatewayModel): string[] {
  const lines = block("upstream aikore_backend", [
    d("server", `127.0.0.1:${model.backendPort}`),
    // Idle connections kept per worker; fewer than the concurrent requests means churn.
    d("keepalive", 128),
    d("keepalive_requests", 100000),
  ]);
  for (const instance of model.instances) {
    lines.push(
      ...block(`upstream ${appUpstream(instance.slug)}`, [
        d("server", `127.0.0.1:${instance.upstreamPort}`),
        d("keepalive", 128),
        d("keepalive_requests", 100000),
        // Below the 5 s idle timeout of common Python servers, so a reused connection is alive.
        d("keepalive_timeout", "4s"),
      ]),
    );
  }
  return lines;
}

function dashboardServers(
  model: GatewayModel,
  listenHost: string,
  cookieVariable: string,
): string[] {
  const listen = `${listenHost}:${model.dashboardPort}`;
  const filtered = model.serverNames.length > 0;
  const routes = model.instances
    .filter((instance) => instance.proxy !== "port")
    .flatMap((instance) => pathRoute(instance, cookieVariable));
  return [
    ...(filtered ? refuseUnknownHosts(listen) : []),
    ...block("server", [
      ...serverHead(listen, model.serverNames, !filtered),
      ...backendLocation(),
      ...routes,
    ]),
  ];
}

/**
 * The whole NGINX configuration for `model`, as text. Pure. Every value is validated again
 * and anything unusual is rejected (`InvalidGatewayModelError`), never escaped.
 */
export function renderNginxConfig(
  model: GatewayModel,
  paths: NginxPaths,
  settings: RenderSettings = {},
): string {
  assertValidGatewayModel(model);
  assertSafePaths(paths);
  const resolved = resolveRenderSettings(settings);
  const listenHost = listenAddress(model.listenHost) ?? "";
  const cookieVariable = model.sessionCookieName === undefined
    ? "$http_cookie"
    : "$aikore_app_cookie";
  const temp = (name: string) => quotedPath(`${paths.tempDir}/${name}`);
  const lines = [
    "# Managed by AiKore: rewritten on every change, edits are lost.",
    d("daemon", "off"),
    d("worker_processes", resolved.workerProcesses),
    d("pcre_jit", "on"),
    ...(resolved.workerUser === null ? [] : [d("user", resolved.workerUser)]),
    d("pid", quotedPath(paths.pidFile)),
    d("error_log", quotedPath(paths.errorLog), "notice"),
    // Must be in the config old workers started with, or WebSockets pin them after a reload.
    d("worker_shutdown_timeout", `${resolved.shutdownTimeoutSec}s`),
    ...block("events", [d("worker_connections", 4096)]),
    ...block("http", [
      d("access_log", "off"),
      d("server_tokens", "off"),
      d("absolute_redirect", "off"),
      d("default_type", "application/octet-stream"),
      // Host names may be 253 characters and there may be hundreds of them.
      d("server_names_hash_bucket_size", 512),
      d("server_names_hash_max_size", 8192),
      d("client_max_body_size", model.maxUploadBytes ?? 0),
      d("client_body_temp_path", temp("body")),
      d("proxy_temp_path", temp("proxy")),
      d("fastcgi_temp_path", temp("fastcgi")),
      d("uwsgi_temp_path", temp("uwsgi")),
      d("scgi_temp_path", temp("scgi")),
      d("proxy_http_version", "1.1"),
      d("proxy_buffering", "off"),
      d("proxy_request_buffering", "off"),
      d("proxy_connect_timeout", "10s"),
      d("proxy_read_timeout", "1h"),
      d("proxy_send_timeout", "1h"),
      ...maps(model.sessionCookieName),
      ...upstreams(model),
      ...dashboardServers(model, listenHost, cookieVariable),
      ...model.instances.flatMap((instance) =>
        instanceServers(model, instance, listenHost, cookieVariable)
      ),
    ]),
  ];
  return lines.join("\n") + "\n";
}
