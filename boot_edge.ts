/**
 * The composition root: the services (boot.ts) plus what sits at their edge, telemetry and the
 * gateway (nginx, its publisher, the per-request endpoint, idle stop and wake).
 */
import { GATEWAY_SECRET_HEADER, gatewaySecret, SESSION_COOKIE } from "./lib/auth/mod.ts";
import type { Config } from "./lib/config/mod.ts";
import { GatewayEndpoint, RouteTable } from "./lib/gateway/mod.ts";
import { GatewayPublisher, idleStop, type IdleWatcher, systemClock } from "./lib/instances/mod.ts";
import type { Logger } from "./lib/log/mod.ts";
import { findNginx, NginxGateway } from "./lib/nginx/mod.ts";
import { portInUse } from "./lib/ports/mod.ts";
import {
  DiskSpaceWatch,
  type GpuProvider,
  GpuWatch,
  HostSampler,
  openGpuProvider,
  ProcessTreeSampler,
  StatsHub,
  UsageRecorder,
} from "./lib/telemetry/mod.ts";
import { ACTIVE_STATUSES } from "./lib/shared/instance_status.ts";
import { heldBackText, selectsGpu, sharedGpusFor } from "./lib/shared/gpu_sharing.ts";
import { type BootOptions, openServices, type Services } from "./boot.ts";

/** What sits at the edge of the services: telemetry and the gateway, built but not started. */
export interface Edge {
  gpu: GpuProvider;
  stats: StatsHub;
  /** The managed nginx, or null when the gateway is off (instances say why). */
  nginx: NginxGateway | null;
  publisher: GatewayPublisher;
  /** Answers nginx's per-request questions (before the app's routing: it is hot). */
  endpoint: GatewayEndpoint;
  /** AiKore's own port on 127.0.0.1, set by the server once it listens. */
  backend: { port: number };
  /** Stops instances idle past their policy; the server starts and closes it. */
  idle: IdleWatcher;
  /** Tells the notifier when the data disk runs low; the server starts and stops it. */
  disk: DiskSpaceWatch;
  /** Records the usage history every 10 s; the server starts and stops it. */
  usage: UsageRecorder;
}

/**
 * The composition root: the services plus telemetry and the gateway, the whole object graph.
 * Nothing listens or runs yet; the server starts it.
 */
export async function openAikore(
  config: Config,
  logger: Logger,
  options: BootOptions = {},
): Promise<{ services: Services; edge: Edge }> {
  const gpu = openGpuProvider({ library: config.nvmlLibrary, logger: logger.child("gpu") });
  // Filled in once the gateway exists: its own listeners on pool ports do not make them taken.
  let gatewayListens = (_port: number) => false;
  const services = await openServices(config, logger, {
    ...options,
    portInUse: (port) => !gatewayListens(port) && portInUse(port),
    gpuCount: () => (gpu.available ? gpu.devices.length : null),
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
  const backend = { port: 0 };
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
        return backend.port;
      },
      serverNames,
      poolPorts,
      sessionCookieName: SESSION_COOKIE,
      backendTrust: { header: GATEWAY_SECRET_HEADER, value: gatewaySecret() },
    },
  });
  const idle = idleStop({
    runtime: services.lifecycle,
    store: services.store,
    clock: options.clock ?? systemClock,
    logger: logger.child("idle"),
    ...(options.idleTiming ? { timing: options.idleTiming } : {}),
    activity: (maxAgeMs) => stats.current(maxAgeMs),
    // A wake is automatic: never onto a GPU another run uses (from the latest figures).
    heldBack: (id) => {
      const record = services.store.get(id);
      if (!record) return null;
      const instances = services.store.list().map((r) => ({
        id: r.id,
        name: r.name,
        status: r.status,
        gpu_ids: r.gpuIds,
      }));
      const gpus = stats.getLatest()?.gpus ?? [];
      const shared = sharedGpusFor({ id, gpu_ids: record.gpuIds }, instances, gpus);
      return shared.length === 0 ? null : heldBackText(shared);
    },
  });
  // nginx asks per request where it goes; answered before the app's routing (it is hot).
  const endpoint = new GatewayEndpoint({
    table,
    settings: {
      dashboardPort: config.listen.port,
      get backendPort() {
        return backend.port;
      },
      dashboardNames: serverNames.map((name) => name.toLowerCase()),
      poolRange: config.portRange,
    },
    authenticate: (headers) => services.auth.authenticate(headers),
    start: (id, actor) => services.instances.start(id, actor),
    logger: logger.child("gateway"),
    wake: idle.gate,
  });
  const disk = new DiskSpaceWatch({
    path: config.dataDir,
    onLow: (free, total) => services.notifier.diskLow(config.dataDir, free, total),
    logger: logger.child("disk"),
  });
  const gpuWatch = new GpuWatch({
    devices: gpu.devices,
    onLost: (device) => {
      const running = services.store.list()
        .filter((r) => ACTIVE_STATUSES.has(r.status) && selectsGpu(r.gpuIds, device))
        .map((r) => r.name);
      services.notifier.gpuLost(device, running);
    },
    logger: logger.child("gpu"),
  });
  const usage = new UsageRecorder({
    // A sample of the dashboard's 1 Hz stream is reused when under half a second old; else one
    // is taken (never the baseline the recorder takes at start: CPU figures are deltas).
    sample: () => stats.current(500),
    store: services.usageHistory,
    logger: logger.child("usage"),
    onSample: (sample) => gpuWatch.observe(sample),
  });
  return {
    services,
    edge: {
      gpu,
      stats,
      nginx: gateway,
      publisher,
      endpoint,
      backend,
      idle: idle.watcher,
      disk,
      usage,
    },
  };
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

function hostOnly(host: string): string {
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  return host.split(":")[0] ?? host;
}
