import { Hono, type MiddlewareHandler } from "hono";
import type { Logger } from "../log/mod.ts";
import { HttpError } from "../shared/http_error.ts";
import { ApiRouter, openApiDocument } from "./api_router.ts";
import type { AppEnv } from "./app_env.ts";
import { errorResponder } from "./error_handler.ts";

export interface AppSetup {
  logger: Logger;
  version: string;
  /** Runs before routing, in order (host check, headers, auth, CSRF …). */
  middleware: MiddlewareHandler<AppEnv>[];
  /** Adds documented API routes. */
  api: (router: ApiRouter) => void;
  /** Adds pages, sockets and static files. */
  other?: (app: Hono<AppEnv>) => void;
  /**
   * Why AiKore is not ready yet (e.g. boot reconciliation still runs), or null once it is.
   * `/healthz` answers 503 with that reason meanwhile, so that whoever waits for it (a
   * supervisor, a health check, a test) sees statuses that are already truthful.
   */
  notReady?: () => string | null;
}

/** Builds the Hono app: middleware, documented API, OpenAPI document, error mapping. */
export function createApp(setup: AppSetup): { app: Hono<AppEnv>; router: ApiRouter } {
  const app = new Hono<AppEnv>({ strict: false });
  app.onError(errorResponder(setup.logger));
  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) throw new HttpError(404, "No such API route");
    return c.text("Not found", 404);
  });
  for (const middleware of setup.middleware) app.use(middleware);
  app.get("/healthz", (c) => {
    const reason = setup.notReady?.() ?? null;
    return reason === null ? c.text("ok") : c.text(`starting: ${reason}`, 503);
  });
  const router = new ApiRouter(app);
  setup.api(router);
  router.route(
    { method: "get", path: "/api/openapi.json", summary: "This OpenAPI document", tag: "system" },
    (c) => c.json(openApiDocument(router.docs, setup.version)),
  );
  setup.other?.(app);
  return { app, router };
}
