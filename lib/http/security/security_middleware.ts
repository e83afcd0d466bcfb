import type { Context, MiddlewareHandler } from "hono";
import type { AuthService } from "../../auth/mod.ts";
import type { AppEnv } from "../app_env.ts";
import { requestBodyLimit } from "./body_limit.ts";
import { csrfGuard } from "./csrf_guard.ts";
import { hostAllowList } from "./host_allow_list.ts";
import { sameOriginAsHost } from "./origin.ts";
import { defaultPublicPaths, requireAuth } from "./require_auth.ts";
import { securityHeaders } from "./security_headers.ts";
import { wsUpgradeGuard } from "./ws_upgrade_guard.ts";

/** Options of the composed security middleware. */
export interface SecurityOptions {
  allowedHosts: readonly string[];
  listenHostname?: string;
  publicPaths?: (path: string) => boolean;
  dashboardOrigins?: (c: Context) => string[];
}

/**
 * The security middleware in the order it must run: headers (outermost, so every refusal
 * carries them), Host allow-list, authentication, CSRF/Origin, body size limit.
 */
export function securityMiddleware(
  auth: AuthService,
  options: SecurityOptions,
): MiddlewareHandler<AppEnv>[] {
  const dashboardOrigins = options.dashboardOrigins ?? sameOriginAsHost;
  return [
    securityHeaders(),
    hostAllowList({
      allowedHosts: options.allowedHosts,
      ...(options.listenHostname ? { listenHostname: options.listenHostname } : {}),
    }),
    requireAuth(auth, { publicPaths: options.publicPaths ?? defaultPublicPaths }),
    csrfGuard({ dashboardOrigins }),
    requestBodyLimit(),
  ];
}

/** The WebSocket check in the shape routes take: a Response refuses, null lets the upgrade on. */
export function upgradeCheck(
  auth: AuthService,
  options: { dashboardOrigins?: (c: Context) => string[] } = {},
): (c: Context<AppEnv>) => Response | null {
  const guard = wsUpgradeGuard(auth, {
    dashboardOrigins: options.dashboardOrigins ?? sameOriginAsHost,
  });
  return (c) => {
    const verdict = guard(c);
    return verdict instanceof Response ? verdict : null;
  };
}
