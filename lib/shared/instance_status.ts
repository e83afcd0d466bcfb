import type { InstanceStatus } from "./instance_schema.ts";

/**
 * The one status model shared by server and browser: which stored statuses mean what.
 * The allowed changes between them live in lib/instances/state_machine.ts.
 */

/** Statuses in which a process of the instance may be alive. */
export const ACTIVE_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  "starting",
  "started",
  "stalled",
  "stopping",
]);

/** Statuses in which a process of the instance (the app or its install) may still log output. */
export const LOGGING_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  ...ACTIVE_STATUSES,
  "installing",
]);

/** Statuses from which a start is accepted. */
export const STARTABLE_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  "stopped",
  "exited",
  "error",
]);

/** Statuses in which the app is (or is about to be) served through the gateway. */
export const SERVING_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  "starting",
  "started",
  "stalled",
]);

/** Statuses in which requests are passed to the app (a starting app gets the starting page). */
export const PROXIED_STATUSES: ReadonlySet<InstanceStatus> = new Set(["started", "stalled"]);

/** Statuses that change by themselves soon: a page showing one follows it. */
export const TRANSIENT_STATUSES: ReadonlySet<InstanceStatus> = new Set([
  "starting",
  "installing",
  "stopping",
]);
