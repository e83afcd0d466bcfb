import type { RouteEntry, RouteTable } from "./route_table.ts";
import { PROXIED_STATUSES } from "../shared/instance_status.ts";

/** What nginx tells AiKore about one request (headers of the auth subrequest). */
export interface CheckRequest {
  route: "port" | "path" | "host";
  /** The port the request came in on. */
  serverPort: number;
  /** The Host header, lower-cased. */
  host: string;
  /** The raw request URI (path and query) as the browser sent it. */
  uri: string;
  /** `http` or `https`, as the browser used. */
  proto: string;
  authenticated: boolean;
}

/** Fixed facts the decision needs. */
export interface GatewaySettings {
  dashboardPort: number;
  backendPort: number;
  /** The dashboard's own host names (no port), lower-case. */
  dashboardNames: readonly string[];
}

/** The check's answer, turned into a status and headers by the endpoint. */
export type Decision =
  | { kind: "refuse" }
  | { kind: "login"; url: string }
  | { kind: "app"; id: number; port: number; uri: string; prefix: string | null }
  | { kind: "page"; entry: RouteEntry | null };

/** Statuses in which the app answers requests. */

/** The path and query of an instance URI after `/instance/<slug>` (always starting with `/`). */
function strippedUri(uri: string, slug: string): string {
  const rest = uri.slice(`/instance/${slug}`.length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

/** Host name of a Host header (IPv6 kept in brackets), or null when malformed. */
export function hostName(host: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/.exec(host);
  return match?.[1] ?? null;
}

function target(request: CheckRequest, table: RouteTable, names: readonly string[]) {
  const name = hostName(request.host);
  if (name === null) return { refuse: true as const };
  if (request.route === "host") {
    const entry = table.byHost(name);
    return entry ? { entry, name } : { refuse: true as const };
  }
  if (request.route === "path") {
    const slug = /^\/instance\/([^/?]+)/.exec(request.uri)?.[1] ?? "";
    const entry = table.bySlug(slug);
    return { entry: entry && entry.routing.proxy !== "port" ? entry : null, name };
  }
  const entry = table.byPort(request.serverPort);
  // A pool port answers to the dashboard's names and to its own instance's host name only.
  // No dashboard names configured: any Host is accepted (AIKORE_ALLOWED_HOSTS empty).
  if (names.length > 0 && !names.includes(name) && entry?.hostname !== name) {
    return { refuse: true as const };
  }
  return { entry: entry && entry.routing.proxy !== "path" ? entry : null, name };
}

/** Where a browser that is not signed in goes to log in, and comes back to `request`. */
function loginUrl(request: CheckRequest, name: string, settings: GatewaySettings): string {
  if (request.route === "path") return `/login?next=${encodeURIComponent(request.uri)}`;
  // A Host without a port (HTTP/1.0 clients, port 80) still names the port it came in on.
  const host = /:\d+$/.test(request.host) ? request.host : `${request.host}:${request.serverPort}`;
  const back = `${request.proto}://${host}${request.uri}`;
  const next = `/_aikore/return?to=${encodeURIComponent(back)}`;
  return `${request.proto}://${name}:${settings.dashboardPort}/login?next=${
    encodeURIComponent(next)
  }`;
}

/**
 * May this request pass, and where does it go? Pure: reads the routing table only. Unknown
 * hosts are refused; without a login a browser is sent to log in; a serving app gets the
 * request (its path stripped or kept per blueprint); anything else gets AiKore's page.
 */
export function decide(
  request: CheckRequest,
  table: RouteTable,
  settings: GatewaySettings,
): Decision {
  const found = target(request, table, settings.dashboardNames);
  if ("refuse" in found) return { kind: "refuse" };
  if (!request.authenticated) {
    return { kind: "login", url: loginUrl(request, found.name, settings) };
  }
  const entry = found.entry;
  if (
    !entry || entry.unpublishable || !PROXIED_STATUSES.has(entry.status) || entry.appPort === null
  ) {
    return { kind: "page", entry };
  }
  if (request.route !== "path") {
    return { kind: "app", id: entry.id, port: entry.appPort, uri: request.uri, prefix: null };
  }
  const prefix = `/instance/${entry.slug}`;
  const uri = entry.routing.pathMode === "keep"
    ? request.uri
    : strippedUri(request.uri, entry.slug);
  return { kind: "app", id: entry.id, port: entry.appPort, uri, prefix };
}
