import { buildApp } from "./app.ts";
import { openServices, type Services } from "./boot.ts";
import type { Config } from "./lib/config/mod.ts";
import { listMovedLegacyDatabases, prepareLegacyDatabaseAtStart } from "./lib/legacy_import/mod.ts";
import {
  type GpuProvider,
  HostSampler,
  openGpuProvider,
  ProcessTreeSampler,
  StatsHub,
} from "./lib/telemetry/mod.ts";
import { GatewayPublisher } from "./lib/instances/mod.ts";
import { GatewayEndpoint, RouteTable } from "./lib/gateway/mod.ts";
import type { Logger } from "./lib/log/mod.ts";
import { findNginx, NginxGateway } from "./lib/nginx/mod.ts";
import { portInUse } from "./lib/ports/mod.ts";
import {
  GATEWAY_SECRET_HEADER,
  gatewaySecret,
  type PasswordHasher,
  SESSION_COOKIE,
} from "./lib/auth/mod.ts";

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

export interface StartOptions {
  /** Stop grace period (default 10 s). */
  graceMs?: number;
  /** Password hashing (tests pass a cheaper scrypt). */
  authHasher?: PasswordHasher;
  /** Environment for instances and terminals (tests inject a hermetic one). */
  baseEnv?: Record<string, string>;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1"];

async function resolveGateway(config: Config, logger: Logger): Promise<
  { gateway: NginxGateway | null; offReason: string }
> {
  if (config.nginxMode === "off") {
    return { gateway: null, offReason: "not published: the gateway is off (AIKORE_NGINX=off)" };
  }
  const binary = await findNginx(config.nginxBinary);
  if (!binary) {
    const reason = "not published: nginx is not installed (apt-get install nginx-light)";
    if (config.nginxMode === "managed") logger.error(`AIKORE_NGINX=managed but ${reason}`);
    return { gateway: null, offReason: reason };
  }
  return {
    gateway: new NginxGateway({ binary, dataDir: config.dataDir, logger: logger.child("nginx") }),
    offReason: "",
  };
}

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
  const gpu = openGpuProvider({ library: config.nvmlLibrary, logger: logger.child("gpu") });
  // Filled in once the gateway exists: its own listeners on pool ports do not make them taken.
  let gatewayListens = (_port: number) => false;
  const services = await openServices(config, logger, {
    portInUse: (port) => !gatewayListens(port) && portInUse(port),
    gpuCount: () => (gpu.available ? gpu.devices.length : null),
    ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    ...(options.authHasher ? { authHasher: options.authHasher } : {}),
    ...(options.baseEnv ? { baseEnv: options.baseEnv } : {}),
  });
  const stats = new StatsHub({
    gpu,
    host: new HostSampler({ dataDir: config.dataDir }),
    processes: new ProcessTreeSampler(),
    roots: () => services.lifecycle.runningPids(),
    logger,
  });
  const { gateway, offReason } = await resolveGateway(config, logger);
  if (gateway) gatewayListens = (port) => gateway.listensOn(port);
  const listenHost = config.listen.hostname;
  const serverNames = [
    ...new Set(
      [...LOOPBACK_NAMES, ...config.allowedHosts.map(hostOnly)].filter((h) => !h.includes(":")),
    ),
  ];

  let backendPort = 0;
  const poolPorts: number[] = [];
  for (let port = config.portRange.start; port <= config.portRange.end; port++) {
    if (port !== config.listen.port && port !== config.backendPort) poolPorts.push(port);
  }
  const table = new RouteTable();
  const publisher = new GatewayPublisher({
    gateway,
    offReason,
    store: services.store,
    blueprints: services.catalog,
    logger: logger.child("gateway"),
    table,
    model: {
      listenHost,
      dashboardPort: config.listen.port,
      get backendPort() {
        return backendPort;
      },
      serverNames,
      poolPorts,
      sessionCookieName: SESSION_COOKIE,
      backendTrust: { header: GATEWAY_SECRET_HEADER, value: gatewaySecret() },
    },
  });
  const { app } = buildApp(services, {
    publication: (record) => publisher.publication(record),
    stats,
    gpu,
    legacyDatabase,
  });
  const handler = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    app.fetch(request, info);
  // nginx asks per request where it goes; answered before the app's routing (it is hot).
  const endpoint = new GatewayEndpoint({
    table,
    settings: {
      dashboardPort: config.listen.port,
      get backendPort() {
        return backendPort;
      },
      dashboardNames: serverNames.map((name) => name.toLowerCase()),
      poolRange: config.portRange,
    },
    authenticate: (headers) => services.auth.authenticate(headers),
    start: (id, actor) => services.lifecycle.start(id, actor),
    logger: logger.child("gateway"),
  });
  const behindGateway = (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    endpoint.handle(request, new URL(request.url)) ?? handler(request, info);
  const servers = [Deno.serve({
    hostname: gateway ? "127.0.0.1" : listenHost,
    port: gateway ? config.backendPort : config.listen.port,
    onListen: () => {},
  }, gateway ? behindGateway : handler)];
  backendPort = servers[0]?.addr.port ?? 0;
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
  await services.lifecycle.reconcile();
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
      await stats.close();
      const closing = services.close(options);
      await Promise.all(servers.map((server) => server.shutdown()));
      await closing;
      await publisher.stop();
      gpu.close();
    },
  };
}

function hostOnly(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  return host.split(":")[0] ?? host;
}
