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

/** Outcome of one `apply`. */
export interface ApplyResult {
  /** The model (minus `instanceErrors` routes) is live. */
  ok: boolean;
  /** Why not (NGINX's message, or the validation problem); null when ok. */
  error: string | null;
  durationMs: number;
  /** slug → why some of its routes are not published (e.g. its port is used by another program). */
  instanceErrors: Record<string, string>;
}

/** What the gateway is doing now. */
export interface GatewayStatus {
  running: boolean;
  pid: number | null;
  lastError: string | null;
  /** Times the master was restarted after dying. */
  restarts: number;
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
}

type Outcome = Omit<ApplyResult, "durationMs">;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * AiKore's gateway: one NGINX master under `<dataDir>/nginx`, configured from a
 * `GatewayModel`. Every change is rendered, written to staging, tested with `nginx -t`,
 * swapped in by rename and reloaded, one at a time; a failure keeps the previous config live.
 * A master that dies is restarted (with back-off) on the last good config.
 */
export class NginxGateway {
  readonly paths: NginxPaths;
  private readonly store: ConfigStore;
  private readonly settings: RenderSettings;
  private readonly runner = new SerialRunner();
  private readonly log: Logger;
  private readonly supervisor: MasterSupervisor;
  private live: GatewayModel | null = null;
  private liveText: string | null = null;
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
    this.supervisor = new MasterSupervisor(
      options.binary,
      this.paths,
      this.runner,
      this.log,
      (error) => {
        this.lastError = error;
        this.log.error(error);
      },
    );
  }

  /**
   * Whether the master runs, its pid, the restart count, and the last error (cleared by the
   * next apply that succeeds; a master crash stays visible until then).
   */
  get status(): GatewayStatus {
    const master = this.supervisor.master;
    return {
      running: master !== null,
      pid: master?.pid ?? null,
      lastError: this.lastError,
      restarts: this.supervisor.restarts,
    };
  }

  /**
   * Stops any NGINX left over from a previous run, installs the config for `model` and starts
   * the master. Routes that cannot be published are reported in the result; if NGINX rejects
   * the whole config, the dashboard alone is published and the result says why. Throws when
   * NGINX cannot run at all (not built with auth_request, dashboard port taken, …).
   */
  start(model: GatewayModel): Promise<ApplyResult> {
    const startedAt = performance.now();
    return this.runner.run(async () => {
      if (this.state !== "new") throw new Error("The gateway was already started");
      await preparePrefix(this.options.binary, this.store, this.log);
      let installed: PreparedConfig | null = null;
      let outcome: Outcome;
      try {
        installed = this.prepare(model, null);
        const failure = await this.install(installed.text);
        outcome = {
          ok: failure === null,
          error: failure,
          instanceErrors: installed.instanceErrors,
        };
      } catch (error) {
        outcome = { ok: false, error: describe(error), instanceErrors: {} };
      }
      if (!outcome.ok || installed === null) {
        this.lastError = outcome.error;
        this.log.error("gateway config rejected; publishing the dashboard only", {
          error: outcome.error,
        });
        installed = this.prepare({ ...model, instances: [] }, null);
        const fallbackFailure = await this.install(installed.text);
        if (fallbackFailure) {
          throw new Error(`nginx rejected the gateway config: ${fallbackFailure}`);
        }
        outcome = { ...outcome, instanceErrors: {} };
      }
      try {
        await this.supervisor.spawn();
      } catch (error) {
        this.lastError = describe(error);
        throw error;
      }
      this.state = "running";
      this.setLive(installed);
      return { ...outcome, durationMs: performance.now() - startedAt };
    });
  }

  /**
   * Makes `model` the live config. Serialized; while one apply runs, newer calls coalesce and
   * the latest model wins. On failure the previous config stays live and the failed candidate
   * is kept as `nginx.conf.err`.
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
  }

  private async applyNow(
    model: GatewayModel,
    retryBind: boolean,
    excluded = new Map<number, string>(),
  ): Promise<Outcome> {
    if (this.state !== "running") {
      return { ok: false, error: "The gateway is not running", instanceErrors: {} };
    }
    let prepared: PreparedConfig;
    try {
      prepared = this.prepare(model, this.live, excluded);
    } catch (error) {
      return this.failed(describe(error));
    }
    const done: Outcome = { ok: true, error: null, instanceErrors: prepared.instanceErrors };
    if (prepared.text === this.liveText && this.supervisor.master) {
      this.lastError = null;
      return done;
    }
    const t0 = performance.now();
    const failure = await this.install(prepared.text);
    if (failure) return this.failed(failure);
    const t1 = performance.now();
    const activated = await this.activate();
    if (activated === null) {
      this.setLive(prepared);
      this.lastError = null;
      this.log.debug("gateway config applied", {
        testMs: Math.round(t1 - t0),
        reloadMs: Math.round(performance.now() - t1),
      });
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

  private failed(error: string): Outcome {
    this.lastError = error;
    this.log.error("gateway change not applied", { error });
    return { ok: false, error, instanceErrors: {} };
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

  private setLive(prepared: PreparedConfig): void {
    this.live = prepared.model;
    this.liveText = prepared.text;
  }
}
