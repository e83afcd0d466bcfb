import { buildApp } from "./app.ts";
import type { BootOptions, Services } from "./boot.ts";
import { openAikore } from "./boot_edge.ts";
import type { Config } from "./lib/config/mod.ts";
import { listMovedLegacyDatabases, prepareLegacyDatabaseAtStart } from "./lib/legacy_import/mod.ts";
import type { GatewayPublisher } from "./lib/instances/mod.ts";
import type { GpuProvider, StatsHub } from "./lib/telemetry/mod.ts";
import type { Logger } from "./lib/log/mod.ts";

/** A running AiKore: its services and where it listens. */
export interface RunningServer {
  services: Services;
  /** Where browsers reach the dashboard (nginx when managed, else AiKore itself). */
  dashboardUrl: string;
  /** AiKore's own HTTP server. */
  backendUrl: string;
  gateway: GatewayPublisher;
  stats: StatsHub;
  gpu: GpuProvider;
  legacyDatabase: string | null;
  /** Lines to show the operator at start (setup link, legacy import offer, warnings). */
  startupNotices: string[];
  /** Stops AiKore; `leaveInstances`: running instances keep running (see Services.close). */
  close(options?: { leaveInstances?: boolean }): Promise<void>;
}

/** What tests may inject (grace period, cheaper password hashing, a hermetic environment). */
export type StartOptions = Pick<BootOptions, "graceMs" | "authHasher" | "baseEnv" | "idleTiming">;

/**
 * Starts AiKore: database (with a first-start offer to import a Python-AiKore database),
 * services, telemetry, HTTP server, the managed nginx gateway, boot reconciliation and
 * autostart.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningServer> {
  await Deno.mkdir(config.dataDir, { recursive: true, mode: 0o750 });
  const moved = prepareLegacyDatabaseAtStart(config.dataDir).legacyPath;
  const legacyDatabase = moved ?? listMovedLegacyDatabases(config.dataDir).at(-1) ?? null;
  if (moved) {
    logger.warn("found a Python-AiKore database; moved it aside and started a new one", { moved });
  }
  const { services, edge } = await openAikore(config, logger, options);
  const { gpu, stats, publisher, endpoint } = edge;
  const listenHost = config.listen.hostname;
  const gateway = edge.nginx;
  let notReady: string | null = "instances are being reconciled after the start";
  const { app } = buildApp(services, {
    notReady: () => notReady,
    publication: (record) => publisher.publication(record),
    stats,
    gpu,
    legacyDatabase,
  });
  const handler = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    app.fetch(request, info);
  const behindGateway = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    endpoint.handle(request, new URL(request.url)) ?? handler(request, info);
  const servers = [Deno.serve({
    hostname: gateway ? "127.0.0.1" : listenHost,
    port: gateway ? config.backendPort : config.listen.port,
    onListen: () => {},
  }, gateway ? behindGateway : handler)];
  const backendPort = servers[0]?.addr.port ?? 0;
  edge.backend.port = backendPort;
  const backendUrl = `http://127.0.0.1:${backendPort}`;
  try {
    const result = await publisher.start();
    if (result && !result.ok) logger.error("the gateway did not start", { error: result.error });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.error("the gateway could not start; instances are not published", { error: message });
    publisher.markFailed(message);
    // The dashboard must stay reachable: AiKore serves it itself on the public address. A port
    // another program holds throws AddrInUse, which main.ts turns into one line and exit code 2.
    servers.push(
      Deno.serve({ hostname: listenHost, port: config.listen.port, onListen: () => {} }, handler),
    );
  }
  try {
    await services.lifecycle.reconcile();
  } finally {
    notReady = null;
  }
  edge.idle.start();
  edge.disk.start();
  edge.usage.start();
  const shownHost = listenHost === "0.0.0.0" || listenHost === "::" ? "127.0.0.1" : listenHost;
  const dashboardUrl = `http://${
    shownHost.includes(":") ? `[${shownHost}]` : shownHost
  }:${config.listen.port}`;
  const startupNotices: string[] = [];
  if (!config.authEnabled) {
    startupNotices.push(
      "AUTHENTICATION IS OFF (AIKORE_AUTH=off): anyone who reaches this port controls this server. " +
        "Use it only behind your own authenticating proxy.",
    );
  }
  if (services.holderMissing !== null) {
    startupNotices.push(
      `Instances run inside AiKore and will not survive a restart of AiKore: ${services.holderMissing}`,
    );
  }
  const setupToken = services.auth.issueSetupToken();
  if (setupToken) {
    startupNotices.push(
      `First start: set the password at ${dashboardUrl}/setup?token=${setupToken} (valid 30 minutes, once)`,
    );
  }
  if (legacyDatabase && services.store.repo.count() === 0) {
    startupNotices.push(
      `A Python-AiKore database is waiting to be imported: open the dashboard, or run "deno task cli import-db ${legacyDatabase}"`,
    );
  }
  return {
    services,
    dashboardUrl,
    startupNotices,
    backendUrl,
    gateway: publisher,
    stats,
    gpu,
    legacyDatabase,
    async close(options = {}) {
      edge.usage.stop();
      await stats.close();
      await edge.idle.close();
      edge.disk.stop();
      const closing = services.close(options);
      await Promise.all(servers.map((server) => server.shutdown()));
      await closing;
      await publisher.stop();
      gpu.close();
    },
  };
}
