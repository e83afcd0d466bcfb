/**
 * The run history's contract (`GET /api/instances/{id}/runs`), shared by the server, the CLI and
 * the browser: one run of an instance, and how its outcome and duration read.
 */
import type { RunEnvironment } from "./environment_snapshot.ts";

/** One run as recorded, newest first. */
export interface RunEntry {
  started_at: string;
  ended_at: string | null;
  /** stopped | exited | error | interrupted (AiKore stopped meanwhile), null while running. */
  outcome: string | null;
  exit_code: number | null;
  exit_signal: number | null;
  /** What its environment held (recorded once healthy, or at a failure before), or null. */
  environment: RunEnvironment | null;
}

/** A run as the API lists it. */
export interface ListedRun extends RunEntry {
  /** null while it runs. */
  duration_ms: number | null;
  /** Whether its log is still kept (only the last few runs' are). */
  has_log: boolean;
}

/** "running", "exited (3)", "stopped (signal 9)", "interrupted". */
export function runOutcome(run: RunEntry): string {
  if (!run.outcome) return "running";
  if (run.exit_signal !== null) return `${run.outcome} (signal ${run.exit_signal})`;
  return run.exit_code !== null ? `${run.outcome} (${run.exit_code})` : run.outcome;
}

/** "running", "42 s", "3 min 5 s", "2 h 10 min". */
export function runDuration(ms: number | null): string {
  if (ms === null) return "running";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
