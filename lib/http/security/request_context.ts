import type { Context } from "hono";
import type { RequestContext } from "../../auth/mod.ts";
import type { AppEnv } from "../app_env.ts";
import { clientAddress } from "./client_address.ts";

/** Client address, user agent and actor of a request, for the auth service and the audit log. */
export function requestContext(c: Context<AppEnv>): RequestContext {
  const context: RequestContext = {
    client: c.get("clientAddress") ?? clientAddress(c),
    userAgent: c.req.header("user-agent") ?? null,
  };
  const actor = c.get("principal")?.actor;
  if (actor) context.actor = actor;
  return context;
}
