/**
 * The usage history: what the host, each GPU and each running instance did over the last hours
 * or days, recorded by the server every 10 s whether or not anyone watches (an overnight batch is
 * looked at the next morning), and answered averaged into at most HISTORY_POINTS buckets.
 */

/** How often a sample is recorded. */
export const HISTORY_SAMPLE_MS = 10_000;
/** How long samples are kept. */
export const HISTORY_KEPT_MS = 7 * 24 * 3600_000;
/** The ranges a history is asked for, in hours (the view's buttons; the API takes these). */
export const HISTORY_HOURS = [1, 6, 24, 168] as const;
/** Buckets in one answer at most (the chart's resolution). */
export const HISTORY_POINTS = 360;

/** One recorded sample. */
export interface UsageSample {
  /** Milliseconds since the epoch. */
  at: number;
  cpu_percent: number;
  ram_percent: number;
  gpus: {
    id: number;
    utilization_percent: number | null;
    vram_percent: number;
    temperature_c: number | null;
    power_w: number | null;
  }[];
  /** Each running instance's whole process tree. */
  instances: {
    id: number;
    /** Percent of one core (250: two and a half cores busy). */
    cpu_percent: number;
    rss_bytes: number;
    /** Null when it cannot be attributed (see the stats' `attribution`). */
    vram_bytes: number | null;
  }[];
}

/** Averages of one bucket of samples; null where no sample fell in it (AiKore was not running). */
export type HistorySeries = (number | null)[];

/** `GET /api/system/stats/history?hours=H`. */
export interface UsageHistory {
  hours: number;
  /** The first bucket's start, ms since the epoch. */
  from: number;
  /** Each bucket's length, ms. */
  step_ms: number;
  cpu_percent: HistorySeries;
  ram_percent: HistorySeries;
  gpus: {
    id: number;
    utilization_percent: HistorySeries;
    vram_percent: HistorySeries;
    temperature_c: HistorySeries;
    power_w: HistorySeries;
  }[];
}

/** `GET /api/instances/{id}/stats/history?hours=H`: one instance, while it ran. */
export interface InstanceUsageHistory {
  hours: number;
  from: number;
  step_ms: number;
  cpu_percent: HistorySeries;
  rss_bytes: HistorySeries;
  vram_bytes: HistorySeries;
}

/** The bucket length for a range: HISTORY_POINTS buckets, never shorter than one sample. */
export function historyStepMs(hours: number): number {
  return Math.max(HISTORY_SAMPLE_MS, Math.ceil((hours * 3600_000) / HISTORY_POINTS));
}

/** Why `text` is not a range the history is asked for, or null. */
export function historyHoursProblem(text: string | undefined): string | null {
  return HISTORY_HOURS.some((hours) => String(hours) === text)
    ? null
    : `must be one of ${HISTORY_HOURS.join(", ")}`;
}
