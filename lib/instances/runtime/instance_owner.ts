import type { InstanceRecord } from "../../db/mod.ts";
import { RestartTracker } from "../../process/mod.ts";
import type { ExitStatus } from "../../pty/mod.ts";
import { DomainError, isStorageFull, stateConflict } from "../../shared/domain_error.ts";
import { STARTABLE_STATUSES } from "../../shared/instance_status.ts";
import { type Actor, SYSTEM_ACTOR } from "../actor.ts";
import {
  canRuntimeTransition,
  type Run,
  type RuntimeKind,
  type RuntimeState,
  RuntimeTransitionError,
} from "../state_machine.ts";
import { requireValid } from "../valid_record.ts";
import { SerialQueue } from "./serial_queue.ts";
import type { LiveProcess } from "./process_port.ts";
import type { OwnerContext } from "./owner_context.ts";
import { OwnerBooks } from "./owner_books.ts";
import { reconcileInstance } from "./reconcile_instance.ts";
import { watchHealth } from "./health_watch.ts";
import { lastStep, watchSteps } from "./step_watch.ts";
import type { InstanceLaunchPlan } from "../launch_plan.ts";
import { resumeAdopted } from "./resume_adopted.ts";

/** What an exclusive section may do while it holds the owner. */
export interface OwnerSection {
  /** A process of the instance is alive (or a stop is in progress). */
  readonly live: boolean;
  /** Clones reading this instance's folder right now. */
  readonly held: number;
  stop(actor: Actor): Promise<InstanceRecord>;
  start(actor: Actor): Promise<InstanceRecord>;
  /** Drops a pending automatic restart (before a delete). */
  forgetRestart(): void;
}

type Trigger = "user" | "auto" | "boot";

function describe(status: ExitStatus): string {
  return status.signal !== null ? `killed by signal ${status.signal}` : `exit code ${status.code}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The one owner of one instance's runtime. Every operation (start, stop, restart, the
 * automatic restart, exit and health events, reconciliation, exclusive sections for rename,
 * delete and update) runs in its serial queue, one at a time, against the explicit state.
 * A process is only spawned from `idle`, so two live processes are impossible; events of a
 * run that is no longer current are ignored instead of failing.
 */
export class InstanceOwner<P extends LiveProcess> {
  #state: RuntimeState<P>;
  readonly #queue = new SerialQueue();
  readonly #tracker: RestartTracker;
  readonly #books: OwnerBooks<P>;
  #holds = 0;
  #wantsBootStart = false;
  #closed = false;

  constructor(
    readonly id: number,
    private readonly c: OwnerContext<P>,
    reconciled: boolean,
  ) {
    this.#state = reconciled ? { kind: "idle" } : { kind: "unreconciled" };
    this.#books = new OwnerBooks(c, id);
    this.#tracker = new RestartTracker(c.restartLimits ?? {}, () => c.clock.now());
  }

  get marker(): string {
    return this.c.marker(this.id);
  }

  /** The runtime state's kind (for tests and diagnostics). */
  get kind(): RuntimeKind {
    return this.#state.kind;
  }

  /** The live process, if any. */
  get process(): P | null {
    const state = this.#state;
    return state.kind === "running" || state.kind === "stopping" ? state.run.process : null;
  }

  /** Operations queued or running. */
  get pending(): number {
    return this.#queue.pending;
  }

  drained(): Promise<void> {
    return this.#queue.drained();
  }

  start(actor: Actor): Promise<InstanceRecord> {
    return this.#serial(() => this.#start(actor, "user"));
  }

  stop(actor: Actor): Promise<InstanceRecord> {
    return this.#serial(() => this.#stop(actor));
  }

  /** Stop (when running) then start, with nothing in between. */
  restart(actor: Actor): Promise<InstanceRecord> {
    return this.#serial(async () => {
      if (this.process) await this.#stop(actor);
      return await this.#start(actor, "user");
    });
  }

  /** Runs `work` while holding the owner: nothing else happens to this instance meanwhile. */
  exclusive<T>(work: (section: OwnerSection) => Promise<T>): Promise<T> {
    return this.#serial(() => {
      const live = () => this.process !== null;
      const held = () => this.#holds;
      return work({
        get live() {
          return live();
        },
        get held() {
          return held();
        },
        stop: (actor) => this.#stop(actor),
        start: (actor) => this.#start(actor, "user"),
        forgetRestart: () => {
          const state = this.#state;
          if (state.kind !== "backoff") return;
          state.cancel();
          this.#books.clearPendingRestart();
          this.#set({ kind: "idle" });
        },
      });
    });
  }

  /** Marks the folder as being read (a clone); returns the release. */
  hold(): Promise<() => void> {
    return this.#serial(() => {
      this.#holds++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.#holds--;
      };
    });
  }

  /** Boot: cleans up what a previous life left (the first operation on the owner does it too). */
  reconcile(): Promise<{ cleaned: number }> {
    return this.#queue.run(() => this.#reconcile());
  }

  /** Whether reconciliation found the instance should start now (autostart, on-failure). */
  get wantsBootStart(): boolean {
    return this.#wantsBootStart && this.#state.kind === "idle" && !this.#closed;
  }

  /** Boot: the start reconciliation asked for is not made; the row says why. */
  holdBootStart(reason: string): Promise<void> {
    return this.#queue.run(() => {
      if (!this.#wantsBootStart) return;
      this.#wantsBootStart = false;
      this.#books.update({ statusMessage: reason });
    });
  }

  /** Boot: starts the instance if reconciliation found it should run (autostart, on-failure). */
  bootStart(): Promise<boolean> {
    return this.#queue.run(async () => {
      if (!this.#wantsBootStart || this.#state.kind !== "idle" || this.#closed) return false;
      this.#wantsBootStart = false;
      try {
        await this.#start(SYSTEM_ACTOR, "boot");
        return true;
      } catch (error) {
        this.c.logger.warn("autostart failed", { id: this.id, error: messageOf(error) });
        const current = this.c.store.get(this.id);
        if (current && current.status !== "error") {
          this.c.store.record(this.id, "error", {
            statusMessage: `Autostart failed: ${messageOf(error)}`,
          });
        }
        return false;
      }
    });
  }

  /**
   * AiKore shuts down and leaves the app running (it outlives AiKore under its holder): only
   * detaches. A run that cannot outlive AiKore (no holder) is stopped.
   */
  detach(): Promise<void> {
    return this.#queue.run(async () => {
      this.#closed = true;
      const state = this.#state;
      if (state.kind === "backoff") {
        state.cancel();
        this.#set({ kind: "idle" });
      } else if (state.kind === "running") {
        state.run.health.abort();
        state.run.cancelStallTimer();
        const detached = await this.c.processes.detach?.(state.run.process).catch((error) => {
          this.c.logger.warn("could not detach; stopping", { id: this.id, error });
          return false;
        });
        if (!detached) await this.#stop(SYSTEM_ACTOR);
      }
    });
  }

  /** AiKore shuts down: stops the process, keeps a pending restart for the next life. */
  shutdown(): Promise<void> {
    return this.#queue.run(async () => {
      this.#closed = true;
      const state = this.#state;
      if (state.kind === "backoff") {
        state.cancel();
        this.#set({ kind: "idle" });
      } else if (state.kind === "running") {
        await this.#stop(SYSTEM_ACTOR);
      }
    });
  }

  #serial<T>(work: () => Promise<T> | T): Promise<T> {
    return this.#queue.run(async () => {
      await this.#reconcile();
      this.c.store.flush();
      return await work();
    });
  }

  #set(next: RuntimeState<P>): void {
    if (!canRuntimeTransition(this.#state.kind, next.kind)) {
      throw new RuntimeTransitionError(this.#state.kind, next.kind);
    }
    this.#state = next;
  }

  #record(): InstanceRecord {
    return requireValid(this.c.store.get(this.id), this.id);
  }

  async #start(actor: Actor, trigger: Trigger): Promise<InstanceRecord> {
    if (this.#closed) throw new DomainError("unavailable", "AiKore is shutting down");
    const state = this.#state;
    if (state.kind === "backoff") {
      // This start replaces the pending automatic one, whatever happens next.
      state.cancel();
      this.#books.clearPendingRestart();
      this.#set({ kind: "idle" });
    }
    const record = this.#record();
    if (this.#state.kind !== "idle" || !STARTABLE_STATUSES.has(record.status)) {
      throw stateConflict(`"${record.name}" cannot be started while ${record.status}`);
    }
    if (trigger !== "auto") this.#tracker.reset();
    const plan = await this.c.prepare(record, this.marker);
    let process: P;
    try {
      process = await this.c.processes.spawn(plan);
    } catch (error) {
      if (isStorageFull(error)) {
        // Nothing started (the holder's spec could not be written): nothing changes.
        throw new DomainError("storage_full", `Could not start "${record.name}": the disk is full`);
      }
      this.c.store.record(this.id, "error", {
        statusMessage: `Could not start: ${messageOf(error)}`,
      });
      // A refused log path (a planted link) is the user's 409, not a server fault.
      if (error instanceof DomainError) throw error;
      throw new DomainError("failed", `Could not start "${record.name}": ${messageOf(error)}`);
    }
    // The process exists now: the stored state must know it, or the process must go.
    let starting: InstanceRecord;
    try {
      starting = this.c.store.transition(this.id, "starting", {
        pid: process.pid,
        pidStartTicks: process.startTicks,
        startedAt: new Date(this.c.clock.now()).toISOString(),
        appPort: plan.health.kind === "http" ? plan.health.port : Number(plan.env.WEBUI_PORT),
        vncDisplay: process.desktop?.display ?? null,
        vncPort: process.desktop?.webPort ?? null,
        exitCode: null,
        exitSignal: null,
        statusMessage: null,
      });
    } catch (error) {
      this.c.logger.warn("could not record a start; stopping the new process", {
        id: this.id,
        error: messageOf(error),
      });
      await this.c.processes.stopTree(process, this.marker, this.c.graceMs).catch((e) =>
        this.c.logger.error("could not stop an unrecorded process", { id: this.id, error: e })
      );
      await this.#books.release(process);
      throw error;
    }
    this.#begin(process, plan, record.restartPolicy === "on-failure");
    if (trigger === "user") this.#books.audit(actor, "instance.start", record.slug);
    return starting;
  }

  /** A live process becomes the current run: its exit and health are watched from here. */
  #begin(process: P, plan: InstanceLaunchPlan | null, onFailure: boolean): void {
    const run: Run<P> = { process, health: new AbortController(), cancelStallTimer: () => {} };
    if (plan) run.step = { file: plan.stepFile, last: null };
    this.#set({ kind: "running", run });
    if (onFailure) this.#tracker.started();
    process.exited
      .then((status) => this.#queue.run(() => this.#onExit(run, status)))
      .catch((error) => this.c.logger.error("exit handling failed", { id: this.id, error }));
    if (plan) {
      const hooks = {
        serial: (work: () => void) => this.#queue.run(work),
        current: () => {
          const now = this.#state;
          return now.kind === "running" && now.run === run;
        },
      };
      watchHealth(this.c, this.id, run, plan, hooks);
      watchSteps(this.c, this.id, run, hooks);
    }
  }

  async #stop(actor: Actor): Promise<InstanceRecord> {
    const record = this.c.store.get(this.id);
    if (!record) throw new DomainError("not_found", "Instance not found");
    const state = this.#state;
    this.#tracker.reset();
    if (state.kind === "running") {
      this.#set({ kind: "stopping", run: state.run });
      state.run.health.abort();
      state.run.cancelStallTimer();
      // Signals first: a database that cannot be written (or is slow) must not keep the app
      // running; the status follows, and a failed write is kept for later.
      const signalled = this.c.processes.stopTree(state.run.process, this.marker, this.c.graceMs)
        .catch((error) => this.c.logger.error("stop failed", { id: this.id, error }));
      this.#books.record("stopping", {});
      await signalled;
      await this.#books.release(state.run.process);
      this.#set({ kind: "idle" });
    } else if (state.kind === "backoff") {
      state.cancel();
      this.#books.clearPendingRestart();
      this.#set({ kind: "idle" });
    } else if (record.status === "stopped") {
      throw stateConflict(`"${record.name}" is already stopped`);
    } else if (record.status === "installing") {
      throw stateConflict(`"${record.name}" cannot be stopped while installing`);
    } else {
      await this.c.processes.sweep(this.marker, {
        pid: record.pid,
        startTicks: record.pidStartTicks,
      }, this.c.graceMs);
    }
    const stopped = this.c.store.record(this.id, "stopped", {
      pid: null,
      pidStartTicks: null,
      statusMessage: null,
    });
    this.#books.audit(actor, "instance.stop", record.slug);
    return stopped ?? { ...record, status: "stopped", pid: null, pidStartTicks: null };
  }

  /** The current run's leader ended by itself (a stop or a newer run makes this a no-op). */
  async #onExit(run: Run<P>, status: ExitStatus): Promise<void> {
    const state = this.#state;
    if (state.kind !== "running" || state.run !== run) return;
    run.health.abort();
    run.cancelStallTimer();
    // The leader is gone; anything it left in its group or session is cleaned up.
    await this.c.processes.cleanupAfterExit(this.marker).catch((error) =>
      this.c.logger.warn("cleanup after exit failed", { id: this.id, error })
    );
    await this.#books.release(run.process);
    const before = this.c.store.get(this.id);
    // A run that ends before it was ever healthy says at which step (an install that failed).
    const step = before?.status === "starting" || before?.status === "stalled"
      ? lastStep(run)
      : null;
    const policy = before?.restartPolicy;
    const decision = policy === "on-failure" && !this.#closed
      ? this.#tracker.ended(status.code !== 0 || status.signal !== null)
      : null;
    this.c.store.record(this.id, "exited", {
      pid: null,
      pidStartTicks: null,
      exitCode: status.code,
      exitSignal: status.signal,
      statusMessage: run.process.exitNote?.() ??
        `The app ended by itself (${describe(status)})${
          step === null ? "" : ` at the step "${step}"`
        }`,
    });
    if (decision?.action === "restart") {
      this.#books.update({
        statusMessage: `The app ended (${describe(status)}); restarting in ${
          Math.round(decision.delayMs / 1000)
        } s`,
      });
      this.#enterBackoff(this.c.clock.now() + decision.delayMs, decision.consecutiveFailures);
    } else {
      this.#set({ kind: "idle" });
      if (decision?.action === "give-up") {
        this.c.store.record(this.id, "error", {
          statusMessage: `Gave up after ${decision.failures} quick failures (${describe(status)})`,
        });
      }
    }
  }

  #enterBackoff(dueAt: number, failures: number): void {
    this.#books.savePendingRestart(dueAt, failures);
    const cancel = this.c.clock.setTimer(() => {
      this.#queue.run(() => this.#autoRestart(dueAt)).catch((error) =>
        this.c.logger.error("automatic restart failed", { id: this.id, error })
      );
    }, dueAt - this.c.clock.now());
    this.#set({ kind: "backoff", dueAt, cancel });
  }

  /** The back-off timer: enters like a user's Start, unless something else happened since. */
  async #autoRestart(dueAt: number): Promise<void> {
    const state = this.#state;
    if (state.kind !== "backoff" || state.dueAt !== dueAt || this.#closed) return;
    try {
      await this.#start(SYSTEM_ACTOR, "auto");
    } catch (error) {
      this.c.logger.warn("restart failed", { id: this.id, error: messageOf(error) });
      const current = this.c.store.get(this.id);
      if (current && current.status !== "error") {
        this.c.store.record(this.id, "error", {
          statusMessage: `Restart failed: ${messageOf(error)}`,
        });
      }
    }
  }

  /** Brings a row that existed at boot in line with reality (once, before anything else). */
  async #reconcile(): Promise<{ cleaned: number }> {
    if (this.#state.kind !== "unreconciled") return { cleaned: 0 };
    const found = await reconcileInstance(this.c, this.#books, this.id);
    if (found.adopted) {
      const plan = await resumeAdopted(this.c, this.#books, this.id, found.adopted);
      const policy = this.c.store.get(this.id)?.restartPolicy;
      this.#begin(found.adopted, plan, policy === "on-failure");
      this.#wantsBootStart = false;
      return { cleaned: 0 };
    }
    if (found.resume) this.#enterBackoff(found.resume.dueAt, found.resume.failures);
    else this.#set({ kind: "idle" });
    this.#wantsBootStart = found.wantsStart;
    return { cleaned: found.cleaned };
  }
}
