import { block, directive as d } from "./config_text.ts";
import type { GatewayInstance, GatewayModel } from "./gateway_model.ts";

/** The NGINX upstream name of an instance's app. */
export function appUpstream(slug: string): string {
  return `aikore_app_${slug}`;
}

/** The URL path prefix of an instance on the dashboard port. */
export function instancePathPrefix(slug: string): string {
  return `/instance/${slug}`;
}

const forwardedHeaders = [
  d("proxy_set_header", "X-Real-IP", "$remote_addr"),
  d("proxy_set_header", "X-Forwarded-For", "$remote_addr"),
  d("proxy_set_header", "X-Forwarded-Proto", "$aikore_forwarded_proto"),
  d("proxy_set_header", "X-Forwarded-Host", "$http_host"),
];

/** Headers for a proxied request that may upgrade to a WebSocket. */
function proxyHeaders(cookieVariable: string): string[] {
  return [
    d("proxy_set_header", "Host", "$http_host"),
    d("proxy_set_header", "Upgrade", "$http_upgrade"),
    d("proxy_set_header", "Connection", "$aikore_connection"),
    d("proxy_set_header", "Cookie", cookieVariable),
    ...forwardedHeaders,
  ];
}

/** AiKore's own server: the dashboard, its API, SSE and WebSockets. */
export function backendLocation(): string[] {
  return block("location /", [
    d("proxy_pass", "http://aikore_backend"),
    ...proxyHeaders("$http_cookie"),
  ]);
}

/** The internal subrequest target asking AiKore whether the request is logged in. */
function authLocation(uri: string, slug: string, route: "path" | "port" | "host"): string[] {
  return block(`location = ${uri}`, [
    d("internal"),
    d("proxy_pass", "http://aikore_backend/api/auth/check"),
    d("proxy_pass_request_body", "off"),
    d("proxy_set_header", "Content-Length", '""'),
    d("proxy_set_header", "Connection", '""'),
    d("proxy_set_header", "Host", "$http_host"),
    d("proxy_set_header", "Cookie", "$http_cookie"),
    d("proxy_set_header", "Authorization", "$http_authorization"),
    d("proxy_set_header", "X-Original-URI", "$request_uri"),
    d("proxy_set_header", "X-Original-Method", "$request_method"),
    ...forwardedHeaders,
    d("proxy_set_header", "X-AiKore-Instance", slug),
    d("proxy_set_header", "X-AiKore-Route", route),
    d("proxy_read_timeout", "30s"),
  ]);
}

interface AppLocation {
  head: string;
  auth: string;
  proxyPass: string;
  extra: string[];
}

function appLocation(
  instance: GatewayInstance,
  cookieVariable: string,
  spec: AppLocation,
): string[] {
  // Desktop streams sit idle for long stretches; web apps reconnect on their own.
  const timeout = instance.kind === "vnc" ? "7d" : "24h";
  return block(spec.head, [
    d("auth_request", spec.auth),
    ...spec.extra,
    d("proxy_pass", spec.proxyPass),
    ...proxyHeaders(cookieVariable),
    d("proxy_read_timeout", timeout),
    d("proxy_send_timeout", timeout),
  ]);
}

/** `/instance/<slug>/` on the dashboard server: prefix stripped, browsers sent to log in. */
export function pathRoute(instance: GatewayInstance, cookieVariable: string): string[] {
  const prefix = instancePathPrefix(instance.slug);
  const auth = `/_aikore/auth/${instance.slug}`;
  const login = `@aikore_login_${instance.slug}`;
  return [
    ...authLocation(auth, instance.slug, "path"),
    ...appLocation(instance, cookieVariable, {
      head: `location ${prefix}/`,
      auth,
      proxyPass: `http://${appUpstream(instance.slug)}/`,
      extra: [
        d("error_page", 401, "=", login),
        d("proxy_set_header", "X-Forwarded-Prefix", prefix),
      ],
    }),
    ...block(`location ${login}`, [
      ...block("if ($aikore_wants_login)", [d("return", 302, `/login?next=${prefix}/`)]),
      d("return", 401),
    ]),
  ];
}

/** A server refusing every Host not named elsewhere on this listen address. */
export function refuseUnknownHosts(listen: string): string[] {
  return block("server", [d("listen", listen, "default_server"), d("return", 444)]);
}

/** Listen address plus, when the model names hosts, the `server_name` line. */
export function serverHead(listen: string, names: string[], isDefault: boolean): string[] {
  return [
    isDefault ? d("listen", listen, "default_server") : d("listen", listen),
    ...(names.length > 0 ? [d("server_name", ...names)] : []),
  ];
}

/** The app at the root of its own origin (its public port or its custom host name). */
export function rootRoute(
  instance: GatewayInstance,
  cookieVariable: string,
  route: "port" | "host",
): string[] {
  const auth = "/_aikore/auth";
  return [
    ...authLocation(auth, instance.slug, route),
    ...appLocation(instance, cookieVariable, {
      head: "location /",
      auth,
      proxyPass: `http://${appUpstream(instance.slug)}`,
      extra: [],
    }),
  ];
}

/** Server blocks publishing `instance` on its own port and custom host name. */
export function instanceServers(
  model: GatewayModel,
  instance: GatewayInstance,
  listenHost: string,
  cookieVariable: string,
): string[] {
  const lines: string[] = [];
  const filtered = model.serverNames.length > 0;
  if (instance.proxy !== "path") {
    const listen = `${listenHost}:${instance.publicPort}`;
    const names = filtered
      ? [...model.serverNames, ...(instance.customHostname ? [instance.customHostname] : [])]
      : [];
    if (filtered) lines.push(...refuseUnknownHosts(listen));
    lines.push(
      ...block("server", [
        ...serverHead(listen, names, !filtered),
        ...rootRoute(instance, cookieVariable, "port"),
      ]),
    );
  }
  if (instance.customHostname) {
    const listen = `${listenHost}:${model.dashboardPort}`;
    lines.push(
      ...block("server", [
        ...serverHead(listen, [instance.customHostname], false),
        ...rootRoute(instance, cookieVariable, "host"),
      ]),
    );
  }
  return lines;
}
