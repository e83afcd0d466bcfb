import { createAuthCacheDir } from "./auth_cache_dir.ts";
import type { Logger } from "../log/mod.ts";
import { ConfigStore } from "./config_store.ts";
import type { GatewayModel, RenderSettings } from "./gateway_model.ts";
import { MasterSupervisor } from "./master_supervisor.ts";
import { type NginxPaths, nginxPaths } from "./nginx_paths.ts";
import { unbindablePorts } from "./port_check.ts";
import {
  newListenPorts,
  portInBindError,
  prepareConfig,
  type PreparedConfig,
} from "./prepare_config.ts";
import { preparePrefix } from "./prepare_prefix.ts";
import { SerialRunner } from "./serial_runner.ts";

/** Outcome of `start` or of a settings change. */
export interface ApplyResult {
  /** The settings (minus `portErrors` ports) are live. */
  ok: boolean;
  /** Why not (NGINX's message, or the validation problem); null when ok. */
  error: string | null;
  durationMs: number;
  /** pool port → why nginx does not listen on it (e.g. another program holds it). */
  portErrors: Record<number, string>;
}

/** What the gateway is doing now. */
export interface GatewayStatus {
  running: boolean;
  pid: number | null;
  lastError: string | null;
  /** Times the master was restarted after dying. */
  restarts: number;
  /** Pool ports nginx does not listen on, with the reason. */
  portErrors: Record<number, string>;
}

/** Options for `NginxGateway`. */
export interface NginxGatewayOptions {
  /** Absolute path of the NGINX binary (see `findNginx`). */
  binary: string;
  dataDir: string;
  logger: Logger;
  /** How long old workers may hold WebSockets after a reload. Default 10 s. */
  shutdownTimeoutSec?: number;
  /** Default 2. */
  workerProcesses?: number;
  /** Default 5000 ms (a refused bind alone takes NGINX ~2.5 s). */
  reloadTimeoutMs?: number;
  /** Cache AiKore's pass answers through their second (default true; see `RenderSettings`). */
  authCache?: boolean;
}

type Outcome = Omit<ApplyResult, "durationMs">;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * AiKore's gateway: one NGINX master under `<dataDir>/nginx`, configured from settings only
 * (`GatewayModel`); which instance a request reaches is decided per request by AiKore, so
 * instance changes never touch nginx. A config is rendered, staged, tested with `nginx -t` and
 * swapped in by rename. A master that dies comes back at once on the last config that passed.
 */
export class NginxGateway {
  readonly paths: NginxPaths;
  private readonly store: ConfigStore;
  private readonly settings: RenderSettings;
  private readonly runner = new SerialRunner();
  private readonly log: Logger;
  private readonly supervisor: MasterSupervisor;
  private live: PreparedConfig | null = null;
  private state: "new" | "running" | "stopped" = "new";
  private lastError: string | null = null;

  constructor(private readonly options: NginxGatewayOptions) {
    this.paths = nginxPaths(options.dataDir);
    this.store = new ConfigStore(this.paths, options.binary);
    this.log = options.logger.child("nginx");
    this.settings = {
      shutdownTimeoutSec: options.shutdownTimeoutSec ?? 10,
      workerProcesses: options.workerProcesses ?? 2,
    };
    this.supervisor = new MasterSupervisor({
      binary: options.binary,
      paths: this.paths,
      runner: this.runner,
      log: this.log,
      onError: (error) => {
        this.lastError = error;
        this.log.error(error);
      },
      beforeRestart: () => this.restoreLastGood(),
    });
  }

  /** Whether the master runs, its pid, restarts, the last error and the pool ports left out. */
  get status(): GatewayStatus {
    const master = this.supervisor.master;
    return {
      running: master !== null,
      pid: master?.pid ?? null,
      lastError: this.lastError,
      restarts: this.supervisor.restarts,
      portErrors: { ...(this.live?.portErrors ?? {}) },
    };
  }

  /** Whether `port` is one of the pool ports the live config listens on. */
  listensOn(port: number): boolean {
    return this.state === "running" && (this.live?.model.poolPorts.includes(port) ?? false);
  }

  /**
   * Stops any NGINX left over from a previous run, installs the config for `model` and starts
   * the master. Pool ports another program holds are left out and reported; if NGINX rejects
   * the whole config, the dashboard alone is published and the result says why. Throws when
   * NGINX cannot run at all (not built with auth_request, dashboard port taken, …).
   */
  start(model: GatewayModel): Promise<ApplyResult> {
    const startedAt = performance.now();
    return this.runner.run(async () => {
      if (this.state !== "new") throw new Error("The gateway was already started");
      await preparePrefix(this.options.binary, this.store, this.log);
      if (this.options.authCache !== false) {
        this.settings.authCacheDir = await createAuthCacheDir(
          `${this.paths.prefix}/auth_cache_dir`,
          this.log,
        );
      }
      let installed: PreparedConfig | null = null;
      let outcome: Outcome;
      try {
        installed = this.prepare(model, null);
        const failure = await this.install(installed.text);
        outcome = { ok: failure === null, error: failure, portErrors: installed.portErrors };
      } catch (error) {
        outcome = { ok: false, error: describe(error), portErrors: {} };
      }
      if (!outcome.ok || installed === null) {
        this.lastError = outcome.error;
        this.log.error("gateway config rejected; publishing the dashboard only", {
          error: outcome.error,
        });
        installed = this.prepare({ ...model, poolPorts: [] }, null);
        const fallbackFailure = await this.install(installed.text);
        if (fallbackFailure) {
          throw new Error(`nginx rejected the gateway config: ${fallbackFailure}`);
        }
      }
      for (const [port, reason] of Object.entries(installed.portErrors)) {
        this.log.warn("pool port left out of the gateway", { port: Number(port), reason });
      }
      try {
        await this.supervisor.spawn();
      } catch (error) {
        this.lastError = describe(error);
        throw error;
      }
      this.state = "running";
      this.live = installed;
      return { ...outcome, durationMs: performance.now() - startedAt };
    });
  }

  /**
   * Makes new settings live (the only case that reloads nginx). Serialized; newer calls
   * coalesce. On failure the previous config stays live, the candidate kept as `nginx.conf.err`.
   */
  async apply(model: GatewayModel): Promise<ApplyResult> {
    const startedAt = performance.now();
    const outcome = await this.runner.latest(model, (latest) => this.applyNow(latest, true));
    return { ...outcome, durationMs: performance.now() - startedAt };
  }

  /** Stops NGINX (graceful, then forced) and stops supervising it. No process is left. */
  async stop(): Promise<void> {
    this.state = "stopped";
    const graceMs = (this.settings.shutdownTimeoutSec ?? 10) * 1000 + 1000;
    await this.runner.run(() => this.supervisor.stop(graceMs));
    const cacheDir = this.settings.authCacheDir;
    if (cacheDir) {
      await Deno.remove(cacheDir, { recursive: true }).catch((error) =>
        this.log.warn("could not remove the auth answer cache", {
          cacheDir,
          error: describe(error),
        })
      );
    }
  }

  private async applyNow(
    model: GatewayModel,
    retryBind: boolean,
    excluded = new Map<number, string>(),
  ): Promise<Outcome> {
    if (this.state !== "running") {
      return { ok: false, error: "The gateway is not running", portErrors: {} };
    }
    let prepared: PreparedConfig;
    try {
      prepared = this.prepare(model, this.live?.model ?? null, excluded);
    } catch (error) {
      return this.failed(describe(error));
    }
    const done: Outcome = { ok: true, error: null, portErrors: prepared.portErrors };
    if (prepared.text === this.live?.text && this.supervisor.master) {
      this.lastError = null;
      return done;
    }
    const failure = await this.install(prepared.text);
    if (failure) return this.failed(failure);
    const activated = await this.activate();
    if (activated === null) {
      this.live = prepared;
      this.lastError = null;
      return done;
    }
    await this.store.rollback().catch((error) => this.log.error("rollback failed", { error }));
    const port = portInBindError(activated);
    if (retryBind && port !== null && !excluded.has(port)) {
      excluded.set(port, `port ${port} on ${model.listenHost} is in use by another program`);
      return await this.applyNow(model, false, excluded);
    }
    return this.failed(`nginx refused the new config: ${activated}`);
  }

  /** Reloads the running master, or starts one if it is down; null on success. */
  private async activate(): Promise<string | null> {
    const master = this.supervisor.master;
    if (master) {
      const reloaded = await master.reload(
        this.settings.workerProcesses ?? 2,
        this.options.reloadTimeoutMs ?? 5000,
      );
      return reloaded.ok ? null : reloaded.message;
    }
    try {
      await this.supervisor.spawn();
      this.supervisor.restarts += 1;
      return null;
    } catch (error) {
      return describe(error);
    }
  }

  /**
   * Before a restart: a live config that differs from the last one that passed `nginx -t`
   * (edited, corrupted) is set aside as `nginx.conf.err` and the good one written back.
   */
  private async restoreLastGood(): Promise<void> {
    const good = this.live?.text;
    if (good === undefined || (await this.store.readLive().catch(() => null)) === good) return;
    this.log.warn("the live gateway config changed behind AiKore; restoring the last good one");
    await this.store.quarantineLive();
    await this.store.stage(good);
    await this.store.swap();
  }

  private failed(error: string): Outcome {
    this.lastError = error;
    this.log.error("gateway change not applied", { error });
    return { ok: false, error, portErrors: {} };
  }

  private prepare(
    model: GatewayModel,
    live: GatewayModel | null,
    excluded = new Map<number, string>(),
  ): PreparedConfig {
    const problems = unbindablePorts(
      model.listenHost,
      newListenPorts(model, live).filter((p) => !excluded.has(p)),
    );
    for (const [port, reason] of excluded) problems.set(port, reason);
    return prepareConfig(model, this.paths, this.settings, problems);
  }

  /** Stages, tests and swaps in `text`; returns why not, or null. */
  private async install(text: string): Promise<string | null> {
    try {
      await this.store.stage(text);
      const test = await this.store.test();
      if (!test.ok) {
        await this.store.quarantineStaged();
        return `nginx rejected the new config: ${test.message}`;
      }
      await this.store.swap();
      return null;
    } catch (error) {
      return describe(error);
    }
  }
}
