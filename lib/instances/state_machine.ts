import type { InstanceStatus } from "../shared/instance_schema.ts";

/** Every allowed status change (SPEC §2). Anything else is a bug and is refused. */
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

/** Statuses in which a process of the instance may be alive. */
export const ACTIVE_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  "starting",
  "started",
  "stalled",
  "stopping",
]);

/** Statuses from which a start is accepted. */
export const STARTABLE_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  "stopped",
  "exited",
  "error",
]);

/** Thrown for a transition the state machine does not allow. */
export class TransitionError extends Error {
  constructor(readonly from: InstanceStatus, readonly to: InstanceStatus) {
    super(`cannot go from "${from}" to "${to}"`);
    this.name = "TransitionError";
  }
}

/** True when `from → to` is allowed. */
export function canTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws `TransitionError` unless `from → to` is allowed. */
export function assertTransition(from: InstanceStatus, to: InstanceStatus): void {
  if (!canTransition(from, to)) throw new TransitionError(from, to);
}
