/**
 * The idle-stop policy shared by server and browser: its bounds, its validation, and how an
 * instance stopped by it is recognized (status `stopped` with the idle note as its message).
 */
/** The longest idle-stop delay accepted, in minutes (one week). */
export const MAX_IDLE_STOP_MINUTES = 10_080;

/**
 * The status message of an instance the idle policy stopped. Its status stays `stopped`; a
 * start (the user's, or a wake by request) clears the message like any start does.
 */
export const IDLE_STOP_NOTE = "stopped (idle): no request and no open connection";

/** Why `value` is not an idle-stop delay in minutes (null and 0 mean off), or null when it is. */
export function idleStopProblem(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    return "must be a whole number of minutes (0 or null: off)";
  }
  if (value < 0 || value > MAX_IDLE_STOP_MINUTES) {
    return `must be in 0-${MAX_IDLE_STOP_MINUTES} minutes (0 or null: off)`;
  }
  return null;
}

/** The stored form of a valid delay: off (0 or null) is stored as null. */
export function normalizeIdleStop(value: number | null | undefined): number | null {
  return value ? value : null;
}

/** Whether the idle policy stopped this instance (only those wake on a request). */
export function isIdleStopped(
  instance: { status: string; statusMessage?: string | null },
): boolean {
  return instance.status === "stopped" && instance.statusMessage === IDLE_STOP_NOTE;
}

/** The policy as the dashboard shows it, or null when off. */
export function idleStopLabel(minutes: number | null | undefined): string | null {
  return minutes ? `idle stop: ${minutes} min` : null;
}
