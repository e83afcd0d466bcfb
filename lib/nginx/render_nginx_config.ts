import { block, directive as d, quotedPath } from "./config_text.ts";
import type { GatewayModel, RenderSettings } from "./gateway_model.ts";
import { configPathProblem, type NginxPaths } from "./nginx_paths.ts";
import {
  AUTH_CACHE_ZONE,
  backendLocation,
  claimLocation,
  instanceRoute,
  serverHead,
} from "./render_routes.ts";
import {
  assertValidGatewayModel,
  InvalidGatewayModelError,
  listenAddress,
  resolveRenderSettings,
} from "./validate_gateway_model.ts";

/** How many copies of the session cookie are stripped one by one before the header is dropped. */
const COOKIE_STRIP_PASSES = 6;

function assertSafePaths(paths: NginxPaths): void {
  const problems = [paths.pidFile, paths.errorLog, paths.tempDir]
    .map(configPathProblem)
    .filter((problem): problem is string => problem !== null);
  if (problems.length > 0) throw new InvalidGatewayModelError(problems);
}

/** Removes one copy of cookie `name` from `source` into `target`. */
function stripOnce(name: string, source: string, target: string, tag: string): string[] {
  return block(`map ${source} ${target}`, [
    d("default", source),
    d(`"~^\\s*${name}=[^;]*(?:;\\s*)?(?<aikore_${tag}_rest>.*)$"`, `$aikore_${tag}_rest`),
    d(
      `"~^(?<aikore_${tag}_head>.*?);\\s*${name}=[^;]*(?<aikore_${tag}_tail>.*)$"`,
      `"$aikore_${tag}_head$aikore_${tag}_tail"`,
    ),
  ]);
}

/**
 * The Cookie header apps receive: every copy of AiKore's cookie removed (an app that tossed
 * cookies under nested paths makes the browser send several). Past the passes, no cookie at all.
 */
function appCookieMaps(name: string | undefined): string[] {
  if (name === undefined) return [];
  const lines: string[] = [];
  let source = "$http_cookie";
  for (let pass = 1; pass <= COOKIE_STRIP_PASSES; pass++) {
    const target = `$aikore_cookie_pass${pass}`;
    lines.push(...stripOnce(name, source, target, `c${pass}`));
    source = target;
  }
  lines.push(
    ...block(`map ${source} $aikore_app_cookie`, [
      d("default", source),
      d(`"~(?:^|;)\\s*${name}="`, '""'),
    ]),
  );
  return lines;
}

function maps(sessionCookieName: string | undefined): string[] {
  const appCookie = sessionCookieName === undefined ? "$http_cookie" : "$aikore_app_cookie";
  return [
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
    ...appCookieMaps(sessionCookieName),
    // An AiKore API token never reaches an app; any other Authorization passes untouched.
    ...block("map $http_authorization $aikore_app_authorization", [
      d("default", "$http_authorization"),
      d('"~*^\\s*bearer\\s+aik_"', '""'),
    ]),
    // AiKore's own pages (not serving, starting) need the session; apps never get it.
    // volatile: a retry after a refused cached port gets a new check answer, maybe a page.
    ...block("map $aikore_kind $aikore_out_cookie", [
      d("volatile"),
      d("default", appCookie),
      d("page", "$http_cookie"),
    ]),
    ...block("map $aikore_kind $aikore_out_authorization", [
      d("volatile"),
      d("default", "$aikore_app_authorization"),
      d("page", "$http_authorization"),
    ]),
    ...targetUriMaps(),
  ];
}

/**
 * The URI sent to the target, built here rather than taken from the check's answer, so one
 * cached answer fits every URI of a route: the request URI as sent, or (`app_strip`) without
 * its `/instance/<slug>` prefix, or AiKore's page URI.
 */
function targetUriMaps(): string[] {
  return [
    ...block("map $request_uri $aikore_path_slug", [
      d("default", '""'),
      d('"~^/instance/(?<aikore_slug>[^/?]+)"', "$aikore_slug"),
    ]),
    ...block("map $request_uri $aikore_stripped_uri", [
      d("default", "/"),
      d('"~^/instance/[^/?]+(?<aikore_rest>/.*)$"', "$aikore_rest"),
      d('"~^/instance/[^/?]+(?<aikore_query>\\?.*)$"', "/$aikore_query"),
    ]),
    ...block("map $aikore_kind $aikore_target_uri", [
      d("volatile"),
      d("default", "$request_uri"),
      d("app_strip", "$aikore_stripped_uri"),
      d("page", "$aikore_uri"),
    ]),
  ];
}

function servers(model: GatewayModel, listenHost: string, cached: boolean): string[] {
  const cookie = model.sessionCookieName ?? null;
  const trust = model.backendTrust ?? null;
  const dashboard = `${listenHost}:${model.dashboardPort}`;
  const filtered = model.serverNames.length > 0;
  const lines = block("server", [
    ...serverHead(dashboard, model.serverNames, !filtered),
    ...backendLocation(trust),
    ...instanceRoute("location ~ ^/instance/[^/]+/", "path", cookie, trust, cached),
  ]);
  if (filtered) {
    // Any other Host on the dashboard port: a custom instance host name, or refused (444).
    lines.push(
      ...block("server", [
        ...serverHead(dashboard, [], true),
        ...claimLocation(trust),
        ...instanceRoute("location /", "host", cookie, trust, cached),
      ]),
    );
  }
  if (model.poolPorts.length > 0) {
    lines.push(
      ...block("server", [
        ...model.poolPorts.map((port) => d("listen", `${listenHost}:${port}`)),
        ...claimLocation(trust),
        ...instanceRoute("location /", "port", cookie, trust, cached),
      ]),
    );
  }
  return lines;
}

/**
 * Where check answers are cached: small files, a key zone of ~8,000
 * entries; each lives for under a second, so `inactive` soon clears them.
 */
function authCachePath(dir: string): string[] {
  return [
    d(
      "proxy_cache_path",
      quotedPath(dir),
      "levels=1",
      `keys_zone=${AUTH_CACHE_ZONE}:1m`,
      "max_size=32m",
      "inactive=10s",
      "use_temp_path=off",
    ),
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
  const temp = (name: string) => quotedPath(`${paths.tempDir}/${name}`);
  const lines = [
    "# Managed by AiKore: rendered from settings only, edits are lost.",
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
      ...block("upstream aikore_backend", [
        d("server", `127.0.0.1:${model.backendPort}`),
        // Idle connections kept per worker; fewer than the concurrent requests means churn.
        d("keepalive", 128),
        d("keepalive_requests", 100000),
      ]),
      ...(resolved.authCacheDir === null ? [] : authCachePath(resolved.authCacheDir)),
      ...servers(model, listenHost, resolved.authCacheDir !== null),
    ]),
  ];
  return lines.join("\n") + "\n";
}
