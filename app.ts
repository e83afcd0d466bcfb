import type { Context } from "hono";
import { securityMiddleware, upgradeCheck } from "./lib/http/security/mod.ts";
import { registerAuthRoutes } from "./routes/api/auth.ts";
import { authPages } from "./routes/pages/auth_pages.tsx";
import { registerDashboardPages } from "./routes/pages/dashboard.tsx";
import { registerStaticAssets } from "./routes/pages/static_assets.ts";
import type { Services } from "./boot.ts";
import type { InstanceRecord } from "./lib/db/mod.ts";
import { createApp } from "./lib/http/mod.ts";
import type { AppEnv } from "./lib/http/mod.ts";
import { type Publication, toInstanceDto, urlContextOf } from "./lib/instances/mod.ts";
import { registerBlueprintRoutes } from "./routes/api/blueprints.ts";
import { registerInstanceRoutes } from "./routes/api/instances.ts";
import { registerSystemRoutes } from "./routes/api/system.ts";
import { registerInstanceActionRoutes } from "./routes/api/instance_actions.ts";
import { registerRunHistoryRoutes } from "./routes/api/run_history.ts";
import { registerDiskRoutes } from "./routes/api/disk.ts";
import { registerOutputRoutes } from "./routes/api/outputs.ts";
import { registerModelRoutes } from "./routes/api/models.ts";
import { registerModelDownloadRoutes } from "./routes/api/model_downloads.ts";
import { registerNotificationRoutes } from "./routes/api/notifications.ts";
import { registerTerminalRoutes } from "./routes/api/terminals.ts";
import { registerEventRoutes } from "./routes/api/events.ts";
import type { GpuProvider, StatsHub } from "./lib/telemetry/mod.ts";
import { registerSocketRoutes } from "./routes/ws/instance_sockets.ts";

/** AiKore's version, shown in the OpenAPI document and the UI. */
export const VERSION = "0.1.0";

export interface AppOptions {
  /** Live statistics for the event stream and /api/system/stats. */
  stats?: StatsHub | null;
  gpu?: GpuProvider | null;
  /** A Python-AiKore database found at first start, offered for import. */
  legacyDatabase?: string | null;
  /** How the gateway publishes an instance. */
  publication?: (record: InstanceRecord) => Publication;
  /** Why AiKore is not ready yet, or null (see `AppSetup.notReady`). */
  notReady?: () => string | null;
}

const unpublished: Publication = {
  ok: false,
  reason: "not published: the gateway is off",
  portRoute: false,
  pathRoute: false,
};

/** Composes every route of AiKore on top of the services. */
export function buildApp(services: Services, options: AppOptions = {}) {
  const publication = options.publication ?? (() => unpublished);
  const present = (record: InstanceRecord, c: Context<AppEnv>) =>
    toInstanceDto(
      record,
      urlContextOf(c.req.url, c.req.header("host"), c.req.header("x-forwarded-proto")),
      publication(record),
      {
        lastOutput: () => services.logs.lastOutput(record.slug),
        environmentChanges: () => services.runs.failedRunChanges(record.id),
      },
    );
  const config = services.config;
  return createApp({
    logger: services.logger.child("http"),
    version: VERSION,
    notReady: options.notReady ?? (() => null),
    middleware: securityMiddleware(services.auth, {
      allowedHosts: config.allowedHosts,
      listenHostname: config.listen.hostname,
    }),
    other: (app) => {
      app.route("/", authPages({ auth: services.auth }));
      registerStaticAssets(app);
      registerDashboardPages(app, {
        service: services.instances,
        present,
        catalog: services.catalog,
        gpu: options.gpu ?? null,
        portRange: config.portRange,
        authEnabled: config.authEnabled,
        version: VERSION,
        desktop: {
          available: services.desktop.backend !== null,
          reason: services.desktop.reason,
        },
      });
    },
    api: (router) => {
      registerAuthRoutes(router, { auth: services.auth, audit: services.audit });
      registerInstanceRoutes(router, { service: services.instances, present });
      registerBlueprintRoutes(router, {
        catalog: services.catalog,
        audit: services.audit,
        instances: services.instances,
      });
      registerSystemRoutes(router, {
        instances: services.instances,
        gpu: options.gpu ?? null,
        stats: options.stats ?? null,
        db: services.db,
        audit: services.audit,
        config: services.config,
        legacyDatabase: options.legacyDatabase ?? null,
        store: services.store,
        usageHistory: services.usageHistory,
      });
      registerDiskRoutes(router, { disk: services.disk, instances: services.instances });
      registerInstanceActionRoutes(router, {
        service: services.instances,
        logs: services.logs,
        paths: services.paths,
        blueprints: services.catalog,
        baseEnv: services.baseEnv,
        present,
        audit: services.audit,
        bus: services.bus,
        lifetime: services.lifetime,
      });
      registerRunHistoryRoutes(router, {
        runs: services.runs,
        service: services.instances,
        logs: services.logs,
      });
      registerOutputRoutes(router, {
        service: services.instances,
        outputs: services.outputs,
        thumbnails: services.thumbnails,
      });
      registerModelRoutes(router, {
        models: services.models,
        audit: services.audit,
        thumbnails: services.thumbnails,
      });
      registerModelDownloadRoutes(router, {
        downloads: services.downloads,
        audit: services.audit,
      });
      registerNotificationRoutes(router, { notifier: services.notifier, audit: services.audit });
      registerTerminalRoutes(router, {
        service: services.instances,
        terminals: services.terminals,
        audit: services.audit,
      });
      registerEventRoutes(router, {
        bus: services.bus,
        service: services.instances,
        present,
        stats: options.stats ?? null,
        lifetime: services.lifetime,
        live: services.auth.live,
      });
      registerSocketRoutes(router, {
        service: services.instances,
        lifecycle: services.lifecycle,
        logs: services.logs,
        terminals: services.terminals,
        guardUpgrade: upgradeCheck(services.auth),
        live: services.auth.live,
        audit: services.audit,
      });
    },
  });
}
