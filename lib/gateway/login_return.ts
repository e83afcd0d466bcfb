import type { RouteTable } from "./route_table.ts";

/** What makes an absolute URL one of this AiKore's instance origins. */
export interface ReturnRules {
  dashboardPort: number;
  /** The dashboard's host names, lower-case. */
  dashboardNames: readonly string[];
  /** The instance pool port range, inclusive. */
  poolRange: { start: number; end: number };
}

/**
 * `to` as a URL to send a browser back to after login, or null when it is not an instance
 * origin of this AiKore (a pool port on one of the dashboard's names, or a routed custom host
 * name on a pool or the dashboard port). Never an open redirect.
 */
export function loginReturnTarget(
  to: string | null,
  rules: ReturnRules,
  table: RouteTable,
): string | null {
  if (!to || to.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password || url.port === "") return null;
  const port = Number(url.port);
  const host = url.hostname.toLowerCase();
  const pool = port >= rules.poolRange.start && port <= rules.poolRange.end;
  if (rules.dashboardNames.includes(host) && pool) return url.href;
  if (table.byHost(host) && (pool || port === rules.dashboardPort)) return url.href;
  return null;
}

/** The dashboard name a browser on a custom host name logs in on: not a loopback one if any. */
function loginName(names: readonly string[]): string | null {
  return names.find((name) => name !== "localhost" && !/^[\d.]+$|:/.test(name)) ??
    names[0] ?? null;
}

/**
 * `loginUrl` (the check's "log in here" for a request on host `requestName`) moved to a
 * dashboard name when the request came by a custom host name: that host's `/login` is the
 * app's, and its cookies are its own (the session comes over with a one-time ticket).
 */
export function dashboardLoginUrl(
  loginUrl: string,
  requestName: string,
  dashboardNames: readonly string[],
): string {
  const name = loginName(dashboardNames);
  if (name === null || dashboardNames.includes(requestName) || !/^https?:\/\//.test(loginUrl)) {
    return loginUrl;
  }
  const url = new URL(loginUrl);
  url.hostname = name;
  return url.href;
}
