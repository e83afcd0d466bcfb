import type { AuditRepository, InstanceRecord } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { ephemeralPort } from "../ports/mod.ts";
import {
  type HealthCheck,
  isSameProcess,
  type RunningProcess,
  runPlan,
  stopProcessTree,
  waitUntilHealthy,
} from "../process/mod.ts";
import type { ExitStatus } from "../pty/mod.ts";
import { conflict, HttpError } from "../shared/http_error.ts";
import { type Actor, SYSTEM_ACTOR } from "./actor.ts";
import { reconcileAtBoot } from "./boot_reconciliation.ts";
import { RestartScheduler } from "./restart_scheduler.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import { ensureDirBeneath, exists, mkdirBeneath, writeBeneath } from "../fs/mod.ts";
import type { InstancePaths } from "./instance_paths.ts";
import type { InstanceStore } from "./instance_store.ts";
import { buildLaunchPlan, inheritedEnv, type InstanceLaunchPlan } from "./launch_plan.ts";
import type { RuntimeControl } from "./service.ts";
import { ACTIVE_STATUSES, STARTABLE_STATUSES } from "./state_machine.ts";
import { requireValid } from "./valid_record.ts";

export interface LifecycleDeps {
  store: InstanceStore;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  audit: AuditRepository;
  logger: Logger;
  /** Distinguishes this data dir's processes from another AiKore's on the same host. */
  installId: string;
  baseEnv: Record<string, string>;
  /** The blueprint helper library passed to blueprints as `AIKORE_FUNCTIONS`. */
  functionsScript: string;
  graceMs?: number;
  /** Called after an instance starts or stops serving (the gateway republishes). */
  onServingChanged?: () => void;
  now?: () => number;
}

interface Run {
  id: number;
  process: RunningProcess;
  stopping: boolean;
  health: AbortController;
  exitHandled: Promise<void>;
}

function describe(status: ExitStatus): string {
  return status.signal !== null ? `killed by signal ${status.signal}` : `exit code ${status.code}`;
}

/**
 * Runs instances: start (launch plan → process on a PTY), health, exit, restart policy, stop,
 * and boot reconciliation. Every status change goes through the instance store.
 */
export class InstanceLifecycle implements RuntimeControl {
  readonly #d: LifecycleDeps;
  readonly #runs = new Map<number, Run>();
  readonly #restarts: RestartScheduler;
  readonly #starting = new Set<number>();

  constructor(deps: LifecycleDeps) {
    this.#d = deps;
    this.#restarts = new RestartScheduler(deps.now ?? (() => performance.now()));
  }

  /** The marker every process of instance `id` carries in `AIKORE_INSTANCE_ID`. */
  marker(id: number): string {
    return `${this.#d.installId}.${id}`;
  }

  /** The live process of an instance, if AiKore runs it. */
  running(id: number): RunningProcess | null {
    return this.#runs.get(id)?.process ?? null;
  }

  /** Instances with a live process: id → leader pid. */
  runningPids(): Array<{ instanceId: number; pid: number }> {
    return [...this.#runs.values()].map((run) => ({ instanceId: run.id, pid: run.process.pid }));
  }

  async start(id: number, actor: Actor): Promise<InstanceRecord> {
    const record = this.#valid(id);
    if (!STARTABLE_STATUSES.has(record.status) || this.#runs.has(id) || this.#starting.has(id)) {
      throw conflict(`"${record.name}" cannot be started while ${record.status}`);
    }
    this.#restarts.cancel(id);
    this.#restarts.reset(id);
    this.#starting.add(id);
    try {
      const started = await this.#launch(record);
      this.#audit(actor, "instance.start", record.slug);
      return started;
    } finally {
      this.#starting.delete(id);
    }
  }

  async #launch(record: InstanceRecord): Promise<InstanceRecord> {
    const parent = record.parentId === null ? null : this.#valid(record.parentId);
    if (parent && (parent.status === "starting" || parent.status === "installing")) {
      throw conflict(
        `The parent "${parent.name}" is ${parent.status} (it may be installing); start the satellite once it is started`,
      );
    }
    if (record.persistentMode) {
      throw new HttpError(
        503,
        "Desktop (persistent) mode is not available in this build yet; turn it off to start",
      );
    }
    const owner = parent ?? record;
    const blueprint = await this.#d.blueprints.find(owner.blueprint);
    await this.#provisionScript(owner, blueprint !== null);
    const plan = buildLaunchPlan({
      record,
      parent,
      blueprint,
      paths: this.#d.paths,
      appPort: ephemeralPort(),
      marker: this.marker(record.id),
      baseEnv: this.#d.baseEnv,
      functionsScript: this.#d.functionsScript,
    });
    const instancesRoot = this.#d.paths.instancesRoot;
    for (const dir of plan.ensureDirs) {
      // An instance folder may hold planted links: never create folders through them.
      if (dir.startsWith(`${instancesRoot}/`)) await ensureDirBeneath(instancesRoot, dir);
      else await Deno.mkdir(dir, { recursive: true });
    }
    let process: RunningProcess;
    try {
      process = runPlan(
        {
          argv: plan.argv,
          env: plan.env,
          cwd: plan.cwd,
          logPath: plan.logPath,
          logRoot: this.#d.paths.instancesRoot,
          marker: plan.marker,
        },
        { logger: this.#d.logger },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#d.store.transition(record.id, "error", {
        statusMessage: `Could not start: ${message}`,
      });
      // A refused log path (a planted link) is the user's 409, not a server fault.
      if (error instanceof HttpError) throw error;
      throw new HttpError(500, `Could not start "${record.name}": ${message}`);
    }
    if (record.restartPolicy === "on-failure") this.#restarts.started(record.id);
    const run: Run = {
      id: record.id,
      process,
      stopping: false,
      health: new AbortController(),
      exitHandled: Promise.resolve(),
    };
    this.#runs.set(record.id, run);
    const starting = this.#d.store.transition(record.id, "starting", {
      pid: process.pid,
      pidStartTicks: process.startTicks,
      startedAt: new Date().toISOString(),
      appPort: plan.health.kind === "http" ? plan.health.port : Number(plan.env.WEBUI_PORT),
      exitCode: null,
      exitSignal: null,
      statusMessage: null,
    });
    run.exitHandled = process.exited.then((status) => this.#onExit(run, status));
    this.#watchHealth(run, plan);
    this.#d.onServingChanged?.();
    return starting;
  }

  /** Copies the blueprint to launch.sh when an owner has none yet (lazy provisioning). */
  async #provisionScript(owner: InstanceRecord, blueprintExists: boolean): Promise<void> {
    const script = this.#d.paths.launchScript(owner.slug);
    if (await exists(script)) return;
    if (!blueprintExists) {
      throw conflict(
        `"${owner.name}" has no launch.sh and its blueprint "${owner.blueprint}" is gone`,
      );
    }
    await mkdirBeneath(this.#d.paths.instancesRoot, this.#d.paths.instanceDir(owner.slug));
    const text = await this.#d.blueprints.read(owner.blueprint);
    await writeBeneath(this.#d.paths.instancesRoot, script, text, 0o755);
  }

  #watchHealth(run: Run, plan: InstanceLaunchPlan): void {
    const check: HealthCheck = plan.health.kind === "log"
      ? { kind: "log", pattern: new RegExp(plan.health.pattern) }
      : plan.health;
    const timer = setTimeout(() => {
      if (this.#runs.get(run.id) !== run || run.stopping) return;
      if (this.#d.store.get(run.id)?.status === "starting") {
        this.#d.store.transition(run.id, "stalled", {
          statusMessage: `Not healthy after ${Math.round(plan.startTimeoutMs / 1000)} s`,
        });
      }
    }, plan.startTimeoutMs);
    waitUntilHealthy(check, {
      session: run.process.session,
      exited: run.process.exited,
      signal: run.health.signal,
    }).then((result) => {
      clearTimeout(timer);
      if (result !== "healthy" || this.#runs.get(run.id) !== run || run.stopping) return;
      const status = this.#d.store.get(run.id)?.status;
      if (status === "starting" || status === "stalled") {
        this.#d.store.transition(run.id, "started", { statusMessage: null });
        this.#d.onServingChanged?.();
      }
    }).catch((error) => {
      clearTimeout(timer);
      this.#d.logger.warn("health check failed", { id: run.id, error });
    });
  }

  async #onExit(run: Run, status: ExitStatus): Promise<void> {
    run.health.abort();
    if (run.stopping) return;
    // The leader is gone; anything it left in its group or session is cleaned up.
    await stopProcessTree({ pid: null, marker: this.marker(run.id) }, { graceMs: 2000 }).catch(
      (error) => this.#d.logger.warn("cleanup after exit failed", { id: run.id, error }),
    );
    await run.process.session.close().catch(() => {});
    this.#runs.delete(run.id);
    if (!this.#d.store.get(run.id)) return;
    this.#d.store.transition(run.id, "exited", {
      pid: null,
      pidStartTicks: null,
      exitCode: status.code,
      exitSignal: status.signal,
      statusMessage: `The app ended by itself (${describe(status)})`,
    });
    this.#d.onServingChanged?.();
    this.#applyRestartPolicy(run.id, status);
  }

  #applyRestartPolicy(id: number, status: ExitStatus): void {
    const record = this.#d.store.get(id);
    if (!record || record.restartPolicy !== "on-failure") return;
    const decision = this.#restarts.ended(id, status.code !== 0 || status.signal !== null);
    if (!decision || decision.action === "none") return;
    if (decision.action === "give-up") {
      this.#d.store.transition(id, "error", {
        statusMessage: `Gave up after ${decision.failures} quick failures (${describe(status)})`,
      });
      return;
    }
    this.#d.store.updateRuntime(id, {
      statusMessage: `The app ended (${describe(status)}); restarting in ${
        Math.round(decision.delayMs / 1000)
      } s`,
    });
    this.#restarts.schedule(id, decision.delayMs, () => {
      const current = this.#d.store.get(id);
      if (!current || current.status !== "exited") return;
      this.#launch(current).catch((error) =>
        this.#d.logger.warn("restart failed", {
          id,
          error: error instanceof Error ? error.message : error,
        })
      );
    });
  }

  /** Stops an instance: whole process tree, grace, kill, marker sweep; returns when nothing is left. */
  async stop(id: number, actor: Actor): Promise<InstanceRecord> {
    const record = this.#d.store.get(id);
    if (!record) throw new HttpError(404, "Instance not found");
    const hadTimer = this.#restarts.cancel(id);
    this.#restarts.reset(id);
    const run = this.#runs.get(id);
    if (!run && !ACTIVE_STATUSES.has(record.status)) {
      if (record.status === "stopped" && !hadTimer) {
        throw conflict(`"${record.name}" is already stopped`);
      }
      await this.sweepLeftovers(record);
      const stopped = this.#d.store.transition(id, "stopped", {
        pid: null,
        pidStartTicks: null,
        statusMessage: null,
      });
      this.#audit(actor, "instance.stop", record.slug);
      return stopped;
    }
    if (record.status !== "stopping") this.#d.store.transition(id, "stopping", {});
    if (run) {
      run.stopping = true;
      run.health.abort();
      await stopProcessTree({
        pid: run.process.pid,
        marker: this.marker(id),
        startTicks: run.process.startTicks,
      }, {
        graceMs: this.#d.graceMs ?? 10_000,
      });
      await run.process.exited;
      await run.process.session.close().catch(() => {});
      this.#runs.delete(id);
    } else {
      await this.sweepLeftovers(record);
    }
    const stopped = this.#d.store.transition(id, "stopped", {
      pid: null,
      pidStartTicks: null,
      statusMessage: null,
    });
    this.#d.onServingChanged?.();
    this.#audit(actor, "instance.stop", record.slug);
    return stopped;
  }

  /** Stop then start. */
  async restart(id: number, actor: Actor): Promise<InstanceRecord> {
    const record = this.#valid(id);
    if (ACTIVE_STATUSES.has(record.status) || this.#runs.has(id)) await this.stop(id, actor);
    return await this.start(id, actor);
  }

  /** Kills what is left of an instance that AiKore does not run (a previous life's processes). */
  async sweepLeftovers(record: InstanceRecord): Promise<void> {
    const marker = this.marker(record.id);
    const same = record.pid !== null && record.pidStartTicks !== null &&
      isSameProcess(record.pid, record.pidStartTicks, marker);
    await stopProcessTree(
      same && record.pid !== null && record.pidStartTicks !== null
        ? { pid: record.pid, marker, startTicks: record.pidStartTicks }
        : { pid: null, marker },
      { graceMs: this.#d.graceMs ?? 10_000 },
    );
  }

  /** Boot reconciliation: see boot_reconciliation.ts. */
  reconcile(): Promise<{ cleaned: number; started: number }> {
    return reconcileAtBoot(this.#d.store, this, this.#d.logger);
  }

  /** Stops every running instance (AiKore shutdown). */
  async stopAll(): Promise<void> {
    this.#restarts.cancelAll();
    await Promise.allSettled([...this.#runs.keys()].map((id) => this.stop(id, SYSTEM_ACTOR)));
  }

  #valid(id: number): InstanceRecord {
    return requireValid(this.#d.store.get(id), id);
  }

  #audit(actor: Actor, action: string, target: string): void {
    this.#d.audit.record({
      actor: actor.actor,
      client: actor.client,
      action,
      target,
      detail: null,
    });
  }
}

/** Builds the base environment passed to instances from AiKore's own. */
export function instanceBaseEnv(): Record<string, string> {
  return inheritedEnv(Deno.env.toObject());
}
