import type { MiddlewareHandler } from "hono";
import { HttpError } from "../../shared/http_error.ts";

/** Loopback names are always accepted (any port). */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** A Host header split into a lower-case name (IPv6 kept in brackets) and optional port. */
export function parseHostHeader(text: string): { name: string; port: number | null } | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text.trim().toLowerCase());
  if (!match || !match[1]) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { name: match[1], port };
}

/**
 * True when `host` is allowed: a loopback name, or an entry of `allowed` (an entry with a port
 * needs that port; one without accepts any).
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const parsed = parseHostHeader(host);
  if (!parsed) return false;
  if (LOOPBACK_HOSTS.includes(parsed.name)) return true;
  for (const entry of allowed) {
    const rule = parseHostHeader(entry);
    if (!rule || rule.name !== parsed.name) continue;
    if (rule.port === null || rule.port === parsed.port) return true;
  }
  return false;
}

/** Options of the Host allow-list. */
export interface HostAllowListOptions {
  /** `AIKORE_ALLOWED_HOSTS`: names or name:port. */
  allowedHosts: readonly string[];
  /** The address AiKore or NGINX binds; allowed too unless it is a wildcard. */
  listenHostname?: string;
}

/** Refuses (403) any request whose Host is not allowed, before routing: DNS rebinding defence. */
export function hostAllowList(options: HostAllowListOptions): MiddlewareHandler {
  const allowed = [...options.allowedHosts];
  const listen = options.listenHostname?.toLowerCase();
  if (listen && !["0.0.0.0", "::", "[::]", ""].includes(listen)) {
    allowed.push(listen.includes(":") && !listen.startsWith("[") ? `[${listen}]` : listen);
  }
  return async (c, next) => {
    const host = c.req.header("host") ?? new URL(c.req.url).host;
    if (!hostAllowed(host, allowed)) {
      throw new HttpError(
        403,
        "This Host name is not allowed; add it to AIKORE_ALLOWED_HOSTS",
        null,
        "host_not_allowed",
      );
    }
    await next();
  };
}
