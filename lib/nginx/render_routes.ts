import { block, directive as d } from "./config_text.ts";
import {
  CHECK_HEADERS,
  GATEWAY_CHECK_PATH,
  GATEWAY_INTERNAL_PREFIX,
  LOGIN_CLAIM_PATH,
} from "./gateway_model.ts";

/** The URL path prefix of an instance on the dashboard port. */
export function instancePathPrefix(slug: string): string {
  return `/instance/${slug}`;
}

/** Which door a request came in by; AiKore's check answers differently for each. */
export type RouteKind = "port" | "path" | "host";

/** The internal location of the auth subrequest (an app path of this name is not reachable). */
const CHECK_LOCATION = "/_aikore_gateway_check";

const forwardedHeaders = [
  d("proxy_set_header", "X-Real-IP", "$remote_addr"),
  d("proxy_set_header", "X-Forwarded-For", "$remote_addr"),
  d("proxy_set_header", "X-Forwarded-Proto", "$aikore_forwarded_proto"),
  d("proxy_set_header", "X-Forwarded-Host", "$http_host"),
];

/**
 * The per-start secret header that tells AiKore a request really came through its own nginx
 * (only then are X-Real-IP and X-Forwarded-Proto believed). Sent to AiKore only, never to apps.
 */
export interface BackendTrust {
  header: string;
  value: string;
}

const trustHeaders = (trust: BackendTrust | null) =>
  trust ? [d("proxy_set_header", trust.header, trust.value)] : [];

/** nginx's variable for a response header of the check. */
const checkVariable = (header: string) =>
  `$upstream_http_${header.toLowerCase().replaceAll("-", "_")}`;

/** AiKore's own server: the dashboard, its API, SSE and WebSockets. */
export function backendLocation(trust: BackendTrust | null): string[] {
  return [
    ...block("location /", [
      d("proxy_pass", "http://aikore_backend"),
      d("proxy_set_header", "Host", "$http_host"),
      d("proxy_set_header", "Upgrade", "$http_upgrade"),
      d("proxy_set_header", "Connection", "$aikore_connection"),
      ...forwardedHeaders,
      ...trustHeaders(trust),
    ]),
    // The gateway's own endpoints answer nginx's subrequests only, never a browser.
    ...block(`location ^~ ${GATEWAY_INTERNAL_PREFIX}`, [d("return", 404)]),
  ];
}

/** The nginx cache zone holding AiKore's check answers (see `authCachePath`). */
export const AUTH_CACHE_ZONE = "aikore_auth";

/** The internal location of the check that skips the cache (after a 502 from a cached port). */
const RECHECK_LOCATION = "/_aikore_gateway_recheck";

/**
 * What AiKore's answer depends on besides time: the door, the port and Host it came by, the
 * instance of a path route, and every credential (all cookies and Authorization as sent, so a
 * decoy cookie next to a valid one can never reuse the valid one's answer).
 */
function cacheKey(route: RouteKind): string {
  const slug = route === "path" ? "$aikore_path_slug" : "";
  return `"${route}|$server_port|$http_host|${slug}|$http_authorization|$http_cookie"`;
}

/**
 * On an instance origin (pool port, custom host name): AiKore's one-time login ticket is
 * redeemed here without the check (the browser has no cookie for this host yet).
 */
export function claimLocation(trust: BackendTrust | null): string[] {
  return block(`location = ${LOGIN_CLAIM_PATH}`, [
    d("proxy_pass", "http://aikore_backend"),
    d("proxy_set_header", "Host", "$http_host"),
    d("proxy_set_header", "Connection", '""'),
    ...forwardedHeaders,
    ...trustHeaders(trust),
  ]);
}

/** The subrequest asking AiKore "may this pass, and where to?" for `route`. */
function checkLocation(
  location: string,
  route: RouteKind,
  trust: BackendTrust | null,
  cache: "use" | "refresh" | "off",
): string[] {
  return block(`location = ${location}`, [
    d("internal"),
    d("proxy_pass", `http://aikore_backend${GATEWAY_CHECK_PATH}`),
    d("proxy_pass_request_body", "off"),
    d("proxy_set_header", "Content-Length", '""'),
    d("proxy_set_header", "Connection", '""'),
    d("proxy_set_header", "Host", "$http_host"),
    d("proxy_set_header", "Cookie", "$http_cookie"),
    d("proxy_set_header", "Authorization", "$http_authorization"),
    d("proxy_set_header", "X-Original-URI", "$request_uri"),
    d("proxy_set_header", "X-Original-Method", "$request_method"),
    d("proxy_set_header", "X-AiKore-Route", route),
    d("proxy_set_header", "X-AiKore-Port", "$server_port"),
    ...forwardedHeaders,
    ...trustHeaders(trust),
    d("proxy_read_timeout", "30s"),
    // Only answers AiKore marks with X-Accel-Expires (a pass to an app) are stored, never a
    // refusal, a login or a page; "refresh" asks AiKore and stores its newer answer.
    ...(cache === "off" ? [] : [
      // nginx stores only what it buffers (the http block turns buffering off for apps).
      d("proxy_buffering", "on"),
      d("proxy_cache", AUTH_CACHE_ZONE),
      d("proxy_cache_key", cacheKey(route)),
      ...(cache === "refresh" ? [d("proxy_cache_bypass", 1)] : []),
    ]),
  ]);
}

/** Everything a location proxying an instance request needs after its auth_request. */
function proxyToTarget(cookieName: string | null): string[] {
  return [
    d("auth_request_set", "$aikore_port", checkVariable(CHECK_HEADERS.port)),
    d("auth_request_set", "$aikore_uri", checkVariable(CHECK_HEADERS.uri)),
    d("auth_request_set", "$aikore_kind", checkVariable(CHECK_HEADERS.kind)),
    d("auth_request_set", "$aikore_login", checkVariable(CHECK_HEADERS.login)),
    d("auth_request_set", "$aikore_prefix", "$upstream_http_x_aikore_prefix"),
    d("error_page", 401, "=", "@aikore_login"),
    d("error_page", 403, "=", "@aikore_refuse"),
    d("proxy_pass", "http://127.0.0.1:$aikore_port$aikore_target_uri"),
    d("proxy_set_header", "Host", "$http_host"),
    d("proxy_set_header", "Upgrade", "$http_upgrade"),
    d("proxy_set_header", "Connection", "$aikore_connection"),
    d("proxy_set_header", "Cookie", "$aikore_out_cookie"),
    d("proxy_set_header", "Authorization", "$aikore_out_authorization"),
    d("proxy_set_header", "X-Forwarded-Prefix", "$aikore_prefix"),
    ...forwardedHeaders,
    // An app that sets AiKore's cookie (cookies ignore ports) gets it marked SameSite=None
    // without Secure, which browsers reject: it can neither replace nor shadow the session.
    ...(cookieName ? [d("proxy_cookie_flags", cookieName, "nosecure", "samesite=none")] : []),
    // Desktop streams and notebooks sit idle for long stretches.
    d("proxy_read_timeout", "7d"),
    d("proxy_send_timeout", "7d"),
  ];
}

/**
 * The instance plane for `route`: every request is checked by AiKore, then proxied to the
 * 127.0.0.1 port the check named (the app, or AiKore's not-serving page). The config never
 * names an instance, so starting, stopping or renaming one never reloads nginx. With
 * `cached`, an answer AiKore marked cacheable is reused until the end of its second; a cached
 * port that refuses the connection (the app stopped or moved) is asked about again at once.
 */
export function instanceRoute(
  head: string,
  route: RouteKind,
  cookieName: string | null,
  trust: BackendTrust | null,
  cached = false,
) {
  const retry = cached
    ? [
      ...checkLocation(RECHECK_LOCATION, route, trust, "refresh"),
      ...block("location @aikore_retry", [
        d("auth_request", RECHECK_LOCATION),
        // The 401 and 403 pages of the retry are still AiKore's login and refusal.
        d("recursive_error_pages", "on"),
        ...proxyToTarget(cookieName),
      ]),
    ]
    : [];
  return [
    ...checkLocation(CHECK_LOCATION, route, trust, cached ? "use" : "off"),
    ...retry,
    ...block(head, [
      d("auth_request", CHECK_LOCATION),
      ...(cached ? [d("error_page", 502, "=", "@aikore_retry")] : []),
      ...proxyToTarget(cookieName),
    ]),
    ...block("location @aikore_login", [
      ...block("if ($aikore_wants_login)", [d("return", 302, "$aikore_login")]),
      d("return", 401),
    ]),
    ...block("location @aikore_refuse", [d("return", 444)]),
  ];
}

/** Listen address plus, when the model names hosts, the `server_name` line. */
export function serverHead(listen: string, names: string[], isDefault: boolean): string[] {
  return [
    isDefault ? d("listen", listen, "default_server") : d("listen", listen),
    ...(names.length > 0 ? [d("server_name", ...names)] : []),
  ];
}
