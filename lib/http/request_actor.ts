import type { Context } from "hono";
import type { Actor } from "../instances/mod.ts";
import type { AppEnv } from "./app_env.ts";

/** The audit actor of a request (set by the auth middleware). */
export function actorOf(c: Context<AppEnv>): Actor {
  return {
    actor: c.get("principal")?.actor ?? "anonymous",
    client: c.get("clientAddress") ?? null,
  };
}
