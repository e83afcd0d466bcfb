import type { Context } from "hono";
import type { AuthService, Principal } from "../../auth/mod.ts";
import type { ApiErrorBody } from "../../shared/api_error.ts";
import type { AppEnv } from "../app_env.ts";
import { clientAddress } from "./client_address.ts";
import { originAllowed } from "./origin.ts";

/** Options of the WebSocket upgrade guard. */
export interface WsUpgradeGuardOptions {
  /** The dashboard origins of this request (usually `sameOriginAsHost`). */
  dashboardOrigins: (c: Context) => string[];
}

function refuse(status: 401 | 403, code: string, message: string): Response {
  const body: ApiErrorBody = { error: { code, message, details: null } };
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * Checks a WebSocket handshake before anything is spawned: a valid session or token, and an
 * Origin equal to a dashboard origin (a bearer-token client without Origin, such as the CLI,
 * passes). Each refusal is audited as `ws_rejected`. Returns the principal or the refusal.
 */
export function wsUpgradeGuard(
  auth: AuthService,
  options: WsUpgradeGuardOptions,
): (c: Context<AppEnv>) => Principal | Response {
  return (c) => {
    const client = c.get("clientAddress") ?? clientAddress(c);
    const reject = (reason: string) =>
      auth.recordEvent("ws_rejected", {
        client,
        target: c.req.path,
        detail: { reason, origin: (c.req.header("origin") ?? "").slice(0, 200) },
      });
    const principal = auth.authenticate(c.req.raw.headers);
    if (!principal) {
      reject("not signed in");
      return refuse(401, "unauthorized", "Sign in first (WebSocket without a valid session)");
    }
    const origin = c.req.header("origin");
    const tokenWithoutOrigin = principal.kind === "token" && origin === undefined;
    if (!tokenWithoutOrigin && !originAllowed(origin, options.dashboardOrigins(c))) {
      reject("origin");
      return refuse(403, "origin_mismatch", "WebSocket refused: Origin is not this dashboard");
    }
    return principal;
  };
}
