import type { Context } from "hono";
import { requestIsHttps } from "./client_address.ts";

/**
 * The serialized origin (`scheme://host[:port]`) when `text` is exactly one, else null.
 * `null`, paths, user info, other schemes and non-canonical spellings are all refused.
 */
export function exactOrigin(text: string | null | undefined): string | null {
  if (!text || text === "null" || text.length > 300) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return url.origin === text ? url.origin : null;
}

/** Canonical form of a configured origin (accepts a trailing slash or default port), or null. */
export function canonicalOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (url.username || url.password || url.search || url.hash || url.pathname !== "/") return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * True when the `Origin` header equals one allowed origin exactly: scheme, host and port
 * compared as parsed values, never by prefix or pattern.
 */
export function originAllowed(
  origin: string | null | undefined,
  allowed: readonly string[],
): boolean {
  const exact = exactOrigin(origin);
  if (exact === null) return false;
  return allowed.some((candidate) => canonicalOrigin(candidate) === exact);
}

/**
 * The dashboard origin as the browser sees it: the request's own scheme and Host. Safe as a
 * default because the Host allow-list already ran.
 */
export function sameOriginAsHost(c: Context): string[] {
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  return [`${requestIsHttps(c) ? "https" : "http"}://${host.toLowerCase()}`];
}
