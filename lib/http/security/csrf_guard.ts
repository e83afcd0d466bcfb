import type { Context, MiddlewareHandler } from "hono";
import { constantTimeEqual } from "../../auth/mod.ts";
import { HttpError } from "../../shared/http_error.ts";
import type { AppEnv } from "../app_env.ts";
import { originAllowed } from "./origin.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Name of the header that carries the session's CSRF token. */
export const CSRF_HEADER = "X-CSRF-Token";

/** Options of the CSRF guard. */
export interface CsrfGuardOptions {
  /** The dashboard origins of this request (usually `sameOriginAsHost`). */
  dashboardOrigins: (c: Context) => string[];
}

function mediaType(c: Context): string | null {
  const type = c.req.header("content-type");
  if (type === undefined) return null;
  return type.split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * For unsafe methods not authenticated by a bearer token: the Origin header must equal a
 * dashboard origin exactly (`null` and absent are refused); on /api a body must be JSON (415
 * for form and text types, which a cross-site form could send) and a session must send its
 * token in `X-CSRF-Token`. Pages (HTML forms) rely on the exact Origin plus SameSite=Strict.
 */
export function csrfGuard(options: CsrfGuardOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const principal = c.get("principal");
    if (principal?.kind === "token") return next();
    const isApi = c.req.path.startsWith("/api/");
    if (isApi) {
      const type = mediaType(c);
      if (type !== null && type !== "application/json") {
        throw new HttpError(415, "Send the body as JSON (Content-Type: application/json)");
      }
    }
    if (!originAllowed(c.req.header("origin"), options.dashboardOrigins(c))) {
      throw new HttpError(
        403,
        "Cross-site request refused: the Origin header must be this dashboard's origin",
        null,
        "origin_mismatch",
      );
    }
    if (isApi && principal?.kind === "session") {
      const sent = c.req.header(CSRF_HEADER) ?? "";
      if (!principal.csrfToken || !constantTimeEqual(sent, principal.csrfToken)) {
        throw new HttpError(
          403,
          `Missing or wrong ${CSRF_HEADER} header (reload the page)`,
          null,
          "csrf_token",
        );
      }
    }
    await next();
  };
}
