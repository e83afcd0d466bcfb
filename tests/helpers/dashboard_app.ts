/** The dashboard pages over a harness's services, as a logged-in session sees them (tests, benches). */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/mod.ts";
import { toInstanceDto, urlContextOf } from "../../lib/instances/mod.ts";
import { registerDashboardPages } from "../../routes/pages/dashboard.tsx";
import type { BuildManifest } from "../../routes/pages/island_assets.ts";
import type { Harness } from "./harness.ts";

export function dashboardApp(
  h: Harness,
  options: { version?: string; manifest?: BuildManifest | null; csrfToken?: string } = {},
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use((c, next) => {
    c.set("principal", {
      kind: "session",
      actor: "session:test",
      csrfToken: options.csrfToken ?? "csrf-123",
    });
    return next();
  });
  registerDashboardPages(app, {
    service: h.services.instances,
    present: (record, c) =>
      toInstanceDto(record, urlContextOf(c.req.url, c.req.header("host")), {
        ok: false,
        reason: "not published: the gateway is off",
        portRoute: false,
        pathRoute: false,
      }),
    catalog: h.services.catalog,
    gpu: null,
    portRange: h.config.portRange,
    authEnabled: true,
    version: options.version ?? "test",
    ...(options.manifest === undefined
      ? {}
      : { manifest: () => Promise.resolve(options.manifest ?? null) }),
  });
  return app;
}
