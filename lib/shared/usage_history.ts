/**
 * The usage history: what the host, each GPU and each running instance did over the last hours
 * or days, recorded by the server every 10 s whether or not anyone watches (an overnight batch is
 * looked at the next morning). Kept in two tiers, so that neither the file nor a read grows with
 * the range: the 10 s samples for 6 hours, their 5-minute averages for 7 days.
 */

/** How often a sample is recorded. */
export const HISTORY_SAMPLE_MS = 10_000;
/** How long the 10 s samples are kept (the 1 h and 6 h views; a margin for the last averages). */
export const HISTORY_RAW_KEPT_MS = 6 * 3600_000 + 10 * 60_000;
/** The span of one average of the second tier. */
export const HISTORY_AVERAGE_MS = 5 * 60_000;
/** How long the 5-minute averages are kept (the 24 h and 7-day views). */
export const HISTORY_KEPT_MS = 7 * 24 * 3600_000;
/** The ranges a history is asked for, in hours (the view's buttons; the API takes these). */
export const HISTORY_HOURS = [1, 6, 24, 168] as const;

/** Which tier a range is read from and its bucket length: 360, 360, 288 and 336 buckets. */
export function historyResolution(hours: number): { tier: "samples" | "averages"; stepMs: number } {
  if (hours <= 1) return { tier: "samples", stepMs: HISTORY_SAMPLE_MS };
  if (hours <= 6) return { tier: "samples", stepMs: 60_000 };
  if (hours <= 24) return { tier: "averages", stepMs: HISTORY_AVERAGE_MS };
  return { tier: "averages", stepMs: 30 * 60_000 };
}

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

/** Why `text` is not a range the history is asked for, or null. */
export function historyHoursProblem(text: string | undefined): string | null {
  return HISTORY_HOURS.some((hours) => String(hours) === text)
    ? null
    : `must be one of ${HISTORY_HOURS.join(", ")}`;
}

/** The mean, the highest and the latest of the values a series has; null when it has none. */
export function seriesSummary(
  series: HistorySeries,
): { mean: number; max: number; last: number } | null {
  const values = series.filter((value): value is number => value !== null);
  if (values.length === 0) return null;
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    max: Math.max(...values),
    last: values.at(-1) as number,
  };
}
