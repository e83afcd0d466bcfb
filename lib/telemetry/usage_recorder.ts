/**
 * Records the usage history (lib/shared/usage_history.ts) every 10 s, whether or not anyone
 * watches the dashboard: what a GPU did overnight is looked at the next morning. A sample that
 * cannot be stored (a full disk) is logged once, and the recording goes on when it can.
 */
import type { Logger } from "../log/mod.ts";
import type { SystemStats } from "../shared/stats.ts";
import { HISTORY_SAMPLE_MS, type UsageSample } from "../shared/usage_history.ts";

/** Where samples are kept (lib/db's UsageHistoryRepository). */
export interface UsageStore {
  record(sample: UsageSample): void;
  /** Removes what is no longer kept at `now`. */
  prune(now: number): number;
}

export interface UsageRecorderOptions {
  /** A recent sample of the system (the stats hub's, shared with the dashboard's stream). */
  sample: () => Promise<SystemStats | null>;
  store: UsageStore;
  logger: Logger;
  /** Default 10 s. */
  intervalMs?: number;
  /** From the baseline sample at start to the first one recorded. Default 1 s. */
  primeMs?: number;
  /** Also told each sample, stored or not (the GPU watch). */
  onSample?: (stats: SystemStats) => void;
}

/** Samples between two prunes of what is older than the kept time (an hour at 10 s). */
const PRUNE_EVERY = 360;

/** What the history keeps of one stats sample. */
export function usageSample(stats: SystemStats): UsageSample {
  return {
    at: stats.timestamp,
    cpu_percent: stats.cpu_percent,
    ram_percent: stats.ram.percent,
    gpus: stats.gpus.map((gpu) => ({
      id: gpu.id,
      utilization_percent: gpu.utilization_percent,
      vram_percent: gpu.vram.percent,
      temperature_c: gpu.temperature_c,
      power_w: gpu.power_w,
    })),
    instances: Object.entries(stats.instances).map(([id, instance]) => ({
      id: Number(id),
      cpu_percent: instance.cpu_percent,
      rss_bytes: instance.rss_bytes,
      vram_bytes: instance.vram_bytes,
    })),
  };
}

export class UsageRecorder {
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Set by stop: a sample still being taken is then not stored (the database may be closing). */
  #stopped = false;
  #samples = 0;
  #failing = false;

  constructor(private readonly options: UsageRecorderOptions) {}

  /**
   * Takes a baseline sample now (CPU figures are deltas: a first sample would say 0 %), records
   * the first sample shortly after, then one every interval.
   */
  start(): void {
    this.#stopped = false;
    const failed = (error: unknown) => {
      this.options.logger.error("usage history: a sample failed", { error });
    };
    this.options.sample().catch(failed);
    const every = this.options.intervalMs ?? HISTORY_SAMPLE_MS;
    const tick = (delay: number) => {
      this.#timer = setTimeout(() => {
        this.record().catch(failed).finally(() => {
          if (!this.#stopped) tick(every);
        });
      }, delay);
    };
    tick(this.options.primeMs ?? 1000);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Takes and stores one sample, pruning old ones now and then (the timer's work; tests call it). */
  async record(): Promise<void> {
    const stats = await this.options.sample();
    if (stats === null || this.#stopped) return;
    this.options.onSample?.(stats);
    try {
      if (this.#samples++ % PRUNE_EVERY === 0) {
        this.options.store.prune(stats.timestamp);
      }
      this.options.store.record(usageSample(stats));
      if (this.#failing) this.options.logger.info("usage history: recording again");
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        this.options.logger.warn("usage history: samples are not kept for now", { error });
      }
      this.#failing = true;
    }
  }
}
