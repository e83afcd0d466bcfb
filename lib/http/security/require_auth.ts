import type { Context, MiddlewareHandler } from "hono";
import type { AuthService } from "../../auth/mod.ts";
import { HttpError } from "../../shared/http_error.ts";
import type { AppEnv } from "../app_env.ts";
import { clientAddress } from "./client_address.ts";

/** Paths reachable without credentials: login, setup, health probe, static files, the auth check. */
export function defaultPublicPaths(path: string): boolean {
  // A dot segment or backslash never names a public resource; refuse rather than reason about it.
  if (/(^|\/)\.\.?(\/|$)|\\/.test(path)) return false;
  return path === "/login" || path === "/setup" || path === "/healthz" ||
    path === "/api/auth/login" || path === "/api/auth/check" || path.startsWith("/static/");
}

/** True for a WebSocket handshake. */
export function isUpgradeRequest(c: Context): boolean {
  return c.req.header("upgrade")?.toLowerCase() === "websocket";
}

/** Where a page request without a session is sent: the login page, remembering the path. */
export function loginRedirect(c: Context): string {
  const url = new URL(c.req.url);
  return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}

/**
 * Sets `clientAddress` on every request and `principal` on authenticated ones. Without
 * credentials: API and WebSocket → 401 JSON (upgrade refusals are audited), pages → 303 to
 * the login page. Public paths pass without a principal.
 */
export function requireAuth(
  auth: AuthService,
  options: { publicPaths: (path: string) => boolean } = { publicPaths: defaultPublicPaths },
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const client = clientAddress(c);
    c.set("clientAddress", client);
    if (options.publicPaths(c.req.path) && !isUpgradeRequest(c)) {
      await next();
      return;
    }
    const principal = auth.authenticate(c.req.raw.headers);
    if (principal) {
      c.set("principal", principal);
      await next();
      return;
    }
    if (isUpgradeRequest(c)) {
      auth.recordEvent("ws_rejected", {
        client,
        target: c.req.path,
        detail: { reason: "not signed in" },
      });
      throw new HttpError(401, "Sign in first (WebSocket without a valid session)");
    }
    if (c.req.path.startsWith("/api/") || c.req.path === "/api") {
      throw new HttpError(401, "Sign in or send an API token (Authorization: Bearer …)");
    }
    return c.redirect(loginRedirect(c), 303);
  };
}
