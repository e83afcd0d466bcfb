import type { MiddlewareHandler } from "hono";

/**
 * Content Security Policy of every response. No inline script or style; frames may show
 * instance apps (other ports, so other origins); nobody may frame the dashboard.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

const ALWAYS: ReadonlyArray<[string, string]> = [
  ["Content-Security-Policy", DASHBOARD_CSP],
  ["X-Content-Type-Options", "nosniff"],
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts,
  // which the exact Origin check must refuse.
  ["Referrer-Policy", "same-origin"],
  ["X-Frame-Options", "DENY"],
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"],
];

/** Paths whose answers must never be cached: the API and the pages that carry secrets. */
function noStore(path: string): boolean {
  return path.startsWith("/api/") || path === "/api" || path === "/login" || path === "/setup";
}

/** Sets the security headers on every response (after the handler ran). */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    // A WebSocket handshake answer has immutable headers and needs none of these.
    if (c.res.status === 101) return;
    const headers = c.res.headers;
    // A handler may set a stricter policy of its own (an app's output file gets a sandbox).
    const policy = headers.get("Content-Security-Policy");
    for (const [name, value] of ALWAYS) headers.set(name, value);
    if (policy !== null) headers.set("Content-Security-Policy", policy);
    if (noStore(c.req.path)) headers.set("Cache-Control", "no-store");
  };
}
