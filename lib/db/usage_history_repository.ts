import type { DatabaseSync } from "node:sqlite";
import {
  HISTORY_AVERAGE_MS,
  HISTORY_KEPT_MS,
  HISTORY_RAW_KEPT_MS,
  type HistorySeries,
  type InstanceUsageHistory,
  type UsageHistory,
  type UsageSample,
} from "../shared/usage_history.ts";
import { transaction } from "./database.ts";

/** The tiers of migration 7: the 10 s samples, and their 5-minute averages. */
const TIERS = { samples: 0, averages: 1 } as const;
export type UsageTier = keyof typeof TIERS;

/** A range read from one tier: `buckets` buckets of `stepMs` from `from`. */
export interface UsageRange {
  tier: UsageTier;
  from: number;
  stepMs: number;
  buckets: number;
}

interface HostBucket {
  bucket: number;
  cpu: number;
  ram: number;
}

interface GpuBucket {
  bucket: number;
  gpu_id: number;
  utilization: number | null;
  vram: number;
  temperature: number | null;
  power: number | null;
}

/** One decimal: what a chart shows, and a tenth of the bytes of JSON. */
const tenth = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

// Numbers are bound as REAL: a bucket or period is cast, or it would be a fraction.
const BUCKET = "CAST((at - :from) / :step AS INTEGER)";
const PERIOD = "CAST(at / :period AS INTEGER) * :period";

/**
 * The usage history's rows (migration 7): each sample is stored in the first tier and the
 * 5-minute average of its period is brought up to date in the second, so the averages always
 * include the latest sample (also when AiKore stops in the middle of a period). Read back in
 * buckets; pruned by age, each tier after its own time.
 */
export class UsageHistoryRepository {
  constructor(private readonly db: DatabaseSync) {}

  /** Stores one sample and refreshes the averages of its period, in one transaction. */
  record(sample: UsageSample): void {
    transaction(this.db, () => {
      this.db.prepare(
        "INSERT OR REPLACE INTO host_samples (tier, at, cpu_percent, ram_percent) VALUES (0, ?, ?, ?)",
      ).run(sample.at, sample.cpu_percent, sample.ram_percent);
      const gpu = this.db.prepare(
        `INSERT OR REPLACE INTO gpu_samples
           (tier, at, gpu_id, utilization_percent, vram_percent, temperature_c, power_w)
         VALUES (0, ?, ?, ?, ?, ?, ?)`,
      );
      for (const g of sample.gpus) {
        gpu.run(sample.at, g.id, g.utilization_percent, g.vram_percent, g.temperature_c, g.power_w);
      }
      const instance = this.db.prepare(
        `INSERT OR REPLACE INTO instance_samples
           (instance_id, tier, at, cpu_percent, rss_bytes, vram_bytes) VALUES (?, 0, ?, ?, ?, ?)`,
      );
      for (const i of sample.instances) {
        instance.run(i.id, sample.at, i.cpu_percent, i.rss_bytes, i.vram_bytes);
      }
      this.#average(sample.at);
    });
  }

  /** Recomputes the averages of the period holding `at` from its samples. */
  #average(at: number): void {
    const period = HISTORY_AVERAGE_MS;
    const from = Math.floor(at / period) * period;
    const span = { period, from, to: from + period };
    this.db.prepare(
      `INSERT OR REPLACE INTO host_samples (tier, at, cpu_percent, ram_percent)
       SELECT 1, ${PERIOD}, AVG(cpu_percent), AVG(ram_percent) FROM host_samples
        WHERE tier = 0 AND at >= :from AND at < :to GROUP BY ${PERIOD}`,
    ).run(span);
    this.db.prepare(
      `INSERT OR REPLACE INTO gpu_samples
         (tier, at, gpu_id, utilization_percent, vram_percent, temperature_c, power_w)
       SELECT 1, ${PERIOD}, gpu_id, AVG(utilization_percent), AVG(vram_percent),
              AVG(temperature_c), AVG(power_w)
         FROM gpu_samples WHERE tier = 0 AND at >= :from AND at < :to
        GROUP BY gpu_id, ${PERIOD}`,
    ).run(span);
    this.db.prepare(
      `INSERT OR REPLACE INTO instance_samples
         (instance_id, tier, at, cpu_percent, rss_bytes, vram_bytes)
       SELECT instance_id, 1, ${PERIOD}, AVG(cpu_percent), AVG(rss_bytes), AVG(vram_bytes)
         FROM instance_samples WHERE tier = 0 AND at >= :from AND at < :to
        GROUP BY instance_id, ${PERIOD}`,
    ).run(span);
  }

  /**
   * The host and GPUs over `range`, averaged per bucket; a bucket no sample fell in is null in
   * every series (AiKore was not running).
   */
  read(range: UsageRange): Omit<UsageHistory, "hours"> {
    const { from, stepMs, buckets } = range;
    const where = { tier: TIERS[range.tier], from, step: stepMs, to: from + stepMs * buckets };
    const hosts = this.db.prepare(
      `SELECT ${BUCKET} AS bucket, AVG(cpu_percent) AS cpu, AVG(ram_percent) AS ram
         FROM host_samples WHERE tier = :tier AND at >= :from AND at < :to GROUP BY bucket`,
    ).all(where) as unknown as HostBucket[];
    const gpus = this.db.prepare(
      `SELECT ${BUCKET} AS bucket, gpu_id, AVG(utilization_percent) AS utilization,
              AVG(vram_percent) AS vram, AVG(temperature_c) AS temperature, AVG(power_w) AS power
         FROM gpu_samples WHERE tier = :tier AND at >= :from AND at < :to
        GROUP BY gpu_id, bucket`,
    ).all(where) as unknown as GpuBucket[];
    const empty = (): HistorySeries => new Array<number | null>(buckets).fill(null);
    const cpu = empty();
    const ram = empty();
    for (const row of hosts) {
      cpu[row.bucket] = tenth(row.cpu);
      ram[row.bucket] = tenth(row.ram);
    }
    const byGpu = new Map<number, UsageHistory["gpus"][number]>();
    for (const row of gpus) {
      let series = byGpu.get(row.gpu_id);
      if (!series) {
        series = {
          id: row.gpu_id,
          utilization_percent: empty(),
          vram_percent: empty(),
          temperature_c: empty(),
          power_w: empty(),
        };
        byGpu.set(row.gpu_id, series);
      }
      series.utilization_percent[row.bucket] = tenth(row.utilization);
      series.vram_percent[row.bucket] = tenth(row.vram);
      series.temperature_c[row.bucket] = tenth(row.temperature);
      series.power_w[row.bucket] = tenth(row.power);
    }
    return {
      from,
      step_ms: stepMs,
      cpu_percent: cpu,
      ram_percent: ram,
      gpus: [...byGpu.values()].sort((a, b) => a.id - b.id),
    };
  }

  /** One instance over `range`, in buckets as `read` gives the host's. */
  readInstance(id: number, range: UsageRange): Omit<InstanceUsageHistory, "hours"> {
    const { from, stepMs, buckets } = range;
    const where = { id, tier: TIERS[range.tier], from, step: stepMs, to: from + stepMs * buckets };
    const rows = this.db.prepare(
      `SELECT ${BUCKET} AS bucket, AVG(cpu_percent) AS cpu, AVG(rss_bytes) AS rss,
              AVG(vram_bytes) AS vram
         FROM instance_samples
        WHERE instance_id = :id AND tier = :tier AND at >= :from AND at < :to GROUP BY bucket`,
    ).all(where) as unknown as { bucket: number; cpu: number; rss: number; vram: number | null }[];
    const empty = (): HistorySeries => new Array<number | null>(buckets).fill(null);
    const history = {
      from,
      step_ms: stepMs,
      cpu_percent: empty(),
      rss_bytes: empty(),
      vram_bytes: empty(),
    };
    for (const row of rows) {
      history.cpu_percent[row.bucket] = tenth(row.cpu);
      history.rss_bytes[row.bucket] = Math.round(row.rss);
      history.vram_bytes[row.bucket] = row.vram === null ? null : Math.round(row.vram);
    }
    return history;
  }

  /**
   * Removes what each tier no longer keeps at `now`: samples older than 6 hours (and a margin),
   * averages older than 7 days. Returns the host rows removed.
   */
  prune(now: number): number {
    const limits = { samples: now - HISTORY_RAW_KEPT_MS, averages: now - HISTORY_KEPT_MS };
    return transaction(this.db, () => {
      let removed = 0;
      for (const table of ["host_samples", "gpu_samples", "instance_samples"]) {
        const statement = this.db.prepare(
          `DELETE FROM ${table} WHERE (tier = 0 AND at < :samples) OR (tier = 1 AND at < :averages)`,
        );
        const { changes } = statement.run(limits);
        if (table === "host_samples") removed = Number(changes);
      }
      return removed;
    });
  }
}
