/**
 * The recent course of the monitor's figures, kept in the browser from the 1 Hz `stats` events
 * (the last minutes under each bar; the usage history view has the hours and days before).
 */
import type { SystemStats } from "../../lib/shared/stats.ts";

/** Samples a trend keeps: five minutes of the stats stream. */
export const TREND_SAMPLES = 300;

/** The key of each monitored series. */
export const trendKey = {
  cpu: "cpu",
  ram: "ram",
  gpuUtilization: (id: number) => `gpu:${id}:utilization`,
  gpuVram: (id: number) => `gpu:${id}:vram`,
} as const;

/** One series as a monitor shows it: its key and its values, oldest first. */
export interface Trend {
  name: string;
  values: readonly number[];
}

/** The last TREND_SAMPLES percentages of each series; a GPU that disappears loses its series. */
export class StatsHistory {
  readonly #series = new Map<string, number[]>();

  push(stats: SystemStats): void {
    const now = new Map<string, number | null>([
      [trendKey.cpu, stats.cpu_percent],
      [trendKey.ram, stats.ram.percent],
    ]);
    for (const gpu of stats.gpus) {
      now.set(trendKey.gpuUtilization(gpu.id), gpu.utilization_percent);
      now.set(trendKey.gpuVram(gpu.id), gpu.vram.percent);
    }
    for (const key of this.#series.keys()) if (!now.has(key)) this.#series.delete(key);
    for (const [key, value] of now) {
      if (value === null || !Number.isFinite(value)) continue;
      const series = this.#series.get(key) ?? [];
      series.push(Math.max(0, Math.min(100, value)));
      if (series.length > TREND_SAMPLES) series.splice(0, series.length - TREND_SAMPLES);
      this.#series.set(key, series);
    }
  }

  /** The series' values, oldest first (empty when unknown). */
  values(key: string): readonly number[] {
    return this.#series.get(key) ?? [];
  }
}

/**
 * SVG polyline points for `values` (0–100) in a `width` × `height` box: the newest at the right
 * edge, one step per sample of a full trend, 100 % at the top.
 */
export function sparklinePoints(
  values: readonly number[],
  width: number,
  height: number,
  capacity = TREND_SAMPLES,
): string {
  const step = width / Math.max(1, capacity - 1);
  const last = values.length - 1;
  return values
    .map((value, i) => {
      const x = width - (last - i) * step;
      const y = height - (Math.max(0, Math.min(100, value)) / 100) * height;
      return `${+x.toFixed(1)},${+y.toFixed(1)}`;
    })
    .join(" ");
}
