import type { DatabaseSync } from "node:sqlite";
import { AuthService, type PasswordHasher } from "./lib/auth/mod.ts";
import { BlueprintCatalog, HELPER_LIBRARY } from "./lib/blueprints/mod.ts";
import { writeFileAtomic } from "./lib/fs/mod.ts";
import { assetPaths, type Config } from "./lib/config/mod.ts";
import {
  AuditRepository,
  InstanceRepository,
  InstanceRestartRepository,
  ModelDownloadRepository,
  openDatabase,
  SettingsRepository,
  UsageHistoryRepository,
} from "./lib/db/mod.ts";
import {
  chooseDesktop,
  chooseHolder,
  EnvironmentRecorder,
  EventBus,
  FolderBrowser,
  type IdleTiming,
  instanceBaseEnv,
  InstanceLifecycle,
  InstanceLogs,
  InstancePaths,
  InstanceService,
  InstanceStore,
  Notifier,
  RunHistory,
  sweepHeldShells,
  takeEnvironmentSnapshot,
  TerminalManager,
  TrashStore,
} from "./lib/instances/mod.ts";
import type { Logger } from "./lib/log/mod.ts";
import type { Clock, DesktopSetup } from "./lib/instances/mod.ts";
import { portInUse } from "./lib/ports/mod.ts";
import { WebhookSender } from "./lib/notify/mod.ts";
import { ModelDownloads } from "./lib/downloads/mod.ts";
import { Thumbnails } from "./lib/thumbnails/mod.ts";
import { DiskSurvey } from "./lib/telemetry/mod.ts";

/** Everything the HTTP layer and the CLI need, built from a resolved config. */
export interface Services {
  config: Config;
  logger: Logger;
  db: DatabaseSync;
  settings: SettingsRepository;
  audit: AuditRepository;
  bus: EventBus;
  store: InstanceStore;
  paths: InstancePaths;
  catalog: BlueprintCatalog;
  instances: InstanceService;
  auth: AuthService;
  lifecycle: InstanceLifecycle;
  terminals: TerminalManager;
  logs: InstanceLogs;
  /** Browses beneath the outputs root (each instance's output folder), read-only. */
  outputs: FolderBrowser;
  /** Browses the shared models folder. */
  models: FolderBrowser;
  /** Thumbnails of the images in both, kept in `<data>/cache/thumbnails`. */
  thumbnails: Thumbnails;
  /** The host's and GPUs' usage every 10 s, kept 7 days (recorded by the edge's recorder). */
  usageHistory: UsageHistoryRepository;
  /** Where the data folder's space goes, measured on demand. */
  disk: DiskSurvey;
  /** Each instance's runs (start, end, exit, environment), recorded from the bus. */
  runs: RunHistory;
  /** Records what each run's environment held (once healthy, or at a failure before). */
  environments: EnvironmentRecorder;
  /** Downloads into the shared models folder (they go on after a restart). */
  downloads: ModelDownloads;
  /** Tells the user's webhook when a run finishes, fails or stalls, or the disk runs low. */
  notifier: Notifier;
  /** Environment passed to instances and terminals (PATH, HOME, LANG …). */
  baseEnv: Record<string, string>;
  /** Aborted when AiKore shuts down: long-lived streams end on it. */
  lifetime: AbortSignal;
  /**
   * Ends the services. `leaveInstances`: running instances keep running (they outlive AiKore
   * under their holders) and are only detached, like terminals under holders (the next AiKore
   * takes them back); else they are stopped and every terminal is closed.
   */
  close(options?: { leaveInstances?: boolean }): Promise<void>;
  /** Null when instances outlive AiKore; else why they will end with it. */
  holderMissing: string | null;
  /** Persistent (desktop) mode on this host: the backend found, or why there is none. */
  desktop: DesktopSetup;
}

export interface BootOptions {
  /** Password hashing (tests pass a cheaper scrypt; production uses OWASP parameters). */
  authHasher?: PasswordHasher;
  /** Stop grace period (default 10 s). */
  graceMs?: number;
  gpuCount?: () => number | null;
  /**
   * The environment instances and terminals inherit (PATH, HOME, LANG …); default: AiKore's
   * own. Tests pass a HOME of their own so that no rc file of the machine runs.
   */
  baseEnv?: Record<string, string>;
  /** Time for restart back-offs and start timeouts (tests pass a fake one). */
  clock?: Clock;
  /** Whether another program holds a pool port (the gateway's own listeners do not count). */
  portInUse?: (port: number) => boolean;
  /** Idle stop's minute and look period (tests shorten them; never set from outside). */
  idleTiming?: Partial<IdleTiming>;
}

/** Where terminal shells run under holders: one folder per terminal, apart from instances'. */
function terminalsRoot(config: Config): string {
  return `${config.dataDir}/terms`;
}

/**
 * A failure notice waits at most this long for the failed run's environment to be read (one
 * Python listing its packages, queued behind other instances'), to say what changed in it.
 */
const FAILURE_NOTICE_WAITS_MS = 30_000;

/** Creates the data folders, opens and migrates the database and builds the services. */
export async function openServices(
  config: Config,
  logger: Logger,
  options: BootOptions = {},
): Promise<Services> {
  const paths = new InstancePaths(config.dataDir);
  for (
    const dir of [
      config.dataDir,
      paths.instancesRoot,
      paths.outputsRoot,
      paths.trashRoot,
      paths.customBlueprintsDir,
      paths.tmpRoot,
    ]
  ) {
    await Deno.mkdir(dir, { recursive: true, mode: 0o750 });
  }
  const db = openDatabase(`${config.dataDir}/aikore.db`, { logger: logger.child("db") });
  const settings = new SettingsRepository(db);
  const audit = new AuditRepository(db);
  const bus = new EventBus();
  const store = new InstanceStore(new InstanceRepository(db), bus);
  const trash = new TrashStore(paths.trashRoot);
  await trash.sweepInterruptedPurges();
  const catalog = new BlueprintCatalog({
    stockDir: config.stockBlueprintsDir,
    customDir: paths.customBlueprintsDir,
  });
  const baseEnv = options.baseEnv ?? instanceBaseEnv();
  const holder = chooseHolder(config.holderBinary, `${config.dataDir}/run`);
  if (holder.reason !== null) {
    logger.warn(
      "instances and terminals run inside AiKore and will NOT survive a restart of AiKore " +
        "(no instance holder)",
      { reason: holder.reason },
    );
  }
  const terminalHolders = holder.setup &&
    { binary: holder.setup.binary, root: terminalsRoot(config) };
  const terminals = new TerminalManager({
    paths,
    blueprints: catalog,
    logger: logger.child("terminals"),
    baseEnv,
    limit: config.terminalLimit,
    events: bus,
    holder: terminalHolders,
  });
  // Shells a previous run left under holders: taken back, or (holders now off) ended.
  const leftShells =
    await (terminalHolders
      ? terminals.adoptLeftovers((id) => store.get(id) !== null)
      : sweepHeldShells(terminalsRoot(config)).then((ended) => ({ adopted: 0, ended })))
      .catch((error) => {
        logger.error("could not take back the terminals a previous run left", { error });
        return { adopted: 0, ended: 0 };
      });
  if (leftShells.adopted + leftShells.ended > 0) {
    logger.info("terminals a previous run left: taken back, or ended", leftShells);
  }
  const desktop = chooseDesktop(config.desktop, config.dataDir);
  if (desktop.reason !== null && config.desktop !== "off") {
    logger.info("desktop (persistent) mode is unavailable", { reason: desktop.reason });
  }
  const lifecycle = new InstanceLifecycle({
    holder: holder.setup,
    desktop,
    store,
    restarts: new InstanceRestartRepository(db),
    paths,
    blueprints: catalog,
    audit,
    logger: logger.child("lifecycle"),
    installId: installIdOf(settings),
    baseEnv,
    functionsScript: await installHelperLibrary(paths),
    graceMs: options.graceMs ?? config.stopGraceMs,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const instances = new InstanceService({
    db,
    store,
    paths,
    trash,
    blueprints: catalog,
    portRange: config.portRange,
    portInUse: options.portInUse ?? portInUse,
    gpuCount: options.gpuCount ?? (() => null),
    audit,
    logger: logger.child("instances"),
    runtime: lifecycle,
    dashboardNames: [config.listen.hostname, ...config.allowedHosts.map(hostOfEntry)],
  });
  const auth = new AuthService({
    db,
    settings,
    audit,
    logger: logger.child("auth"),
    authEnabled: config.authEnabled,
    ...(options.authHasher ? { hasher: options.authHasher } : {}),
  });
  await auth.applyInitialPassword(config.initialPassword);
  const logs = new InstanceLogs(paths);
  const runs = new RunHistory(db);
  runs.start(bus);
  const environments = new EnvironmentRecorder({
    runs,
    take: (record) =>
      takeEnvironmentSnapshot({
        record,
        owner: record.parentId === null ? record : store.get(record.parentId) ?? record,
        paths,
        blueprints: catalog,
        baseEnv,
        timeoutMs: 60_000,
      }),
    // A failed run's changes are part of its instance's view: publish it again.
    onRecorded: (id) => {
      const record = store.get(id);
      if (record) store.published(record);
    },
    logger: logger.child("environments"),
  });
  const notifyLogger = logger.child("notify");
  const notifier = new Notifier({
    settings,
    sender: new WebhookSender({ logger: notifyLogger }),
    logs,
    logger: notifyLogger,
    environmentChanges: async (record) => {
      await environments.recorded(record.id, FAILURE_NOTICE_WAITS_MS);
      return runs.failedRunChanges(record.id);
    },
  });
  // Before the reconciliation: a run that ended while AiKore was down is told too.
  notifier.start(bus, store.list());
  environments.start(bus);
  const downloads = new ModelDownloads({
    root: paths.modelsRoot,
    repository: new ModelDownloadRepository(db),
    logger: logger.child("downloads"),
    onOutcome: (download) => notifier.download(download),
  });
  await downloads.start();
  const thumbnails = new Thumbnails({
    cacheDir: `${config.dataDir}/cache/thumbnails`,
    logger: logger.child("thumbnails"),
  });
  const disk = new DiskSurvey({ dataDir: config.dataDir, logger: logger.child("disk") });
  const lifetime = new AbortController();
  const services: Services = {
    lifetime: lifetime.signal,
    config,
    logger,
    db,
    settings,
    audit,
    bus,
    store,
    paths,
    catalog,
    instances,
    auth,
    lifecycle,
    terminals,
    logs,
    outputs: new FolderBrowser(paths.outputsRoot),
    models: new FolderBrowser(paths.modelsRoot),
    thumbnails,
    disk,
    runs,
    environments,
    usageHistory: new UsageHistoryRepository(db),
    notifier,
    downloads,
    baseEnv,
    holderMissing: holder.reason,
    desktop,
    async close(options = {}) {
      lifetime.abort();
      await instances.settled();
      if (options.leaveInstances) {
        await terminals.detachAll();
        await lifecycle.detachAll();
      } else {
        await terminals.closeAll();
        await lifecycle.stopAll();
      }
      notifier.stop();
      runs.stop();
      await environments.stop();
      downloads.stop();
      thumbnails.close();
      await disk.close();
      db.close();
    },
  };
  return services;
}

/**
 * Copies the blueprint helper library next to the data so that bash can source it: inside a
 * `deno compile` binary the shipped file is readable by AiKore only.
 */
async function installHelperLibrary(paths: InstancePaths): Promise<string> {
  const text = await Deno.readTextFile(`${assetPaths.stockBlueprints}/${HELPER_LIBRARY}`);
  const target = `${paths.dataDir}/lib/${HELPER_LIBRARY}`;
  await Deno.mkdir(`${paths.dataDir}/lib`, { recursive: true });
  const current = await Deno.readTextFile(target).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return null; // first start: not installed yet
    throw error;
  });
  if (current !== text) await writeFileAtomic(target, text, 0o644);
  return target;
}

/** A random id per data dir, so that two AiKores on one host never touch each other's processes. */
function installIdOf(settings: SettingsRepository): string {
  const existing = settings.get("install_id");
  if (existing && /^[0-9a-f]{16}$/.test(existing)) return existing;
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  settings.set("install_id", id);
  return id;
}

/** The host name of an AIKORE_ALLOWED_HOSTS entry (`name`, `name:port`, `[v6]:port`). */
function hostOfEntry(entry: string): string {
  if (entry.startsWith("[")) return entry.slice(0, entry.indexOf("]") + 1);
  return entry.split(":")[0] ?? entry;
}
