import type { InstanceStatus } from "../shared/instance_schema.ts";
import type { StepFile } from "./launch_plan.ts";
import {
  ACTIVE_STATUSES,
  SERVING_STATUSES,
  STARTABLE_STATUSES,
} from "../shared/instance_status.ts";

/**
 * The state model of one instance, in one place:
 * - the stored status (what the database and the API say) and its allowed changes;
 * - the runtime state (what the instance's owner holds in memory) and its allowed changes;
 * - which stored statuses fit each runtime state (checked by tests after every step).
 */

export { ACTIVE_STATUSES, STARTABLE_STATUSES };

/** Every allowed change of the stored status. Anything else is a bug and is refused. */
const TRANSITIONS: Record<InstanceStatus, readonly InstanceStatus[]> = {
  stopped: ["starting", "installing", "error", "stopped"],
  installing: ["stopped", "error"],
  starting: ["started", "stalled", "exited", "error", "stopping"],
  started: ["stalled", "exited", "error", "stopping", "started"],
  stalled: ["started", "exited", "error", "stopping"],
  exited: ["starting", "stopped", "error", "stopping"],
  error: ["starting", "stopped", "stopping", "error"],
  stopping: ["stopped", "error"],
};

/** Thrown for a stored-status change the model does not allow. */
export class TransitionError extends Error {
  constructor(readonly from: string, readonly to: string) {
    super(`cannot go from "${from}" to "${to}"`);
    this.name = "TransitionError";
  }
}

/** True when `from → to` is allowed for the stored status. */
export function canTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws `TransitionError` unless `from → to` is allowed. */
export function assertTransition(from: InstanceStatus, to: InstanceStatus): void {
  if (!canTransition(from, to)) throw new TransitionError(from, to);
}

/**
 * What the owner of one instance holds. `P` is the live process (a real PTY process in
 * production, a fake one in tests).
 * - unreconciled: the row existed when AiKore started; what a previous life left is not yet
 *   cleaned up (the first operation on the instance does it).
 * - idle: no process; the stored status is stopped, exited, error or installing.
 * - running: one live process (starting, started or stalled).
 * - stopping: a stop is signalling and waiting for the process tree.
 * - backoff: the process ended and the on-failure policy restarts it at `dueAt` (epoch ms).
 *
 *   unreconciled ─▶ idle | backoff      boot: leftovers swept, a saved back-off resumes
 *   unreconciled ─▶ running             boot: a held app that outlived AiKore is re-adopted
 *   idle ─start─▶ running               the only way to a process
 *   running ─health─▶ running           stored starting → started | stalled
 *   running ─stop─▶ stopping ─▶ idle    signals first, then the status is written
 *   running ─exit─▶ idle | backoff      the on-failure policy decides
 *   backoff ─timer | start─▶ running    the timer enters like a user's Start
 *   backoff ─stop | delete─▶ idle
 */
export type RuntimeState<P> =
  | { kind: "unreconciled" }
  | { kind: "idle" }
  | { kind: "running"; run: Run<P> }
  | { kind: "stopping"; run: Run<P> }
  | { kind: "backoff"; dueAt: number; cancel: () => void };

export type RuntimeKind = RuntimeState<unknown>["kind"];

/** One life of the instance's process. */
export interface Run<P> {
  process: P;
  /** Aborted when the run is no longer watched (stopped or ended). */
  health: AbortController;
  /** Cancels the "not healthy in time" timer. */
  cancelStallTimer: () => void;
  /** The step the blueprint said it was at while starting (`aikore_step`), and where it says it. */
  step?: { file: StepFile; last: string | null };
}

/** Every allowed runtime change (`running → running` is a health change, not a new process). */
const RUNTIME_TRANSITIONS: Record<RuntimeKind, readonly RuntimeKind[]> = {
  unreconciled: ["idle", "backoff", "running"],
  idle: ["running", "idle"],
  running: ["stopping", "idle", "backoff", "running"],
  stopping: ["idle"],
  backoff: ["running", "idle"],
};

/** Thrown for a runtime change the model does not allow (a bug in the owner). */
export class RuntimeTransitionError extends Error {
  constructor(readonly from: RuntimeKind, readonly to: RuntimeKind) {
    super(`runtime cannot go from "${from}" to "${to}"`);
    this.name = "RuntimeTransitionError";
  }
}

/** True when the runtime may go `from → to`. */
export function canRuntimeTransition(from: RuntimeKind, to: RuntimeKind): boolean {
  return RUNTIME_TRANSITIONS[from].includes(to);
}

/** The stored statuses that truthfully describe a settled runtime state. */
export function fittingStatuses(kind: RuntimeKind): ReadonlySet<InstanceStatus> {
  switch (kind) {
    case "unreconciled":
      return new Set(TRANSITION_KEYS);
    case "idle":
      return IDLE_STATUSES;
    case "running":
      return SERVING_STATUSES;
    case "stopping":
      return STOPPING_STATUSES;
    case "backoff":
      return BACKOFF_STATUSES;
  }
}

const TRANSITION_KEYS = Object.keys(TRANSITIONS) as InstanceStatus[];
const IDLE_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  "stopped",
  "installing",
  "exited",
  "error",
]);
const STOPPING_STATUSES: ReadonlySet<InstanceStatus> = new Set(["stopping", ...SERVING_STATUSES]);
const BACKOFF_STATUSES: ReadonlySet<InstanceStatus> = new Set(["exited"]);
