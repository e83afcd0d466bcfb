import type { DatabaseSync } from "node:sqlite";
import type {
  HistorySeries,
  InstanceUsageHistory,
  UsageHistory,
  UsageSample,
} from "../shared/usage_history.ts";
import { transaction } from "./database.ts";

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

/** The usage history's samples (migration 7): recorded, read back in buckets, pruned. */
export class UsageHistoryRepository {
  constructor(private readonly db: DatabaseSync) {}

  /** Stores one sample (its host row and a row per GPU) in one transaction. */
  record(sample: UsageSample): void {
    transaction(this.db, () => {
      this.db.prepare(
        "INSERT OR REPLACE INTO host_samples (at, cpu_percent, ram_percent) VALUES (?, ?, ?)",
      ).run(sample.at, sample.cpu_percent, sample.ram_percent);
      const gpu = this.db.prepare(
        `INSERT OR REPLACE INTO gpu_samples
           (at, gpu_id, utilization_percent, vram_percent, temperature_c, power_w)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const g of sample.gpus) {
        gpu.run(sample.at, g.id, g.utilization_percent, g.vram_percent, g.temperature_c, g.power_w);
      }
      const instance = this.db.prepare(
        `INSERT OR REPLACE INTO instance_samples
           (instance_id, at, cpu_percent, rss_bytes, vram_bytes) VALUES (?, ?, ?, ?, ?)`,
      );
      for (const i of sample.instances) {
        instance.run(i.id, sample.at, i.cpu_percent, i.rss_bytes, i.vram_bytes);
      }
    });
  }

  /** One instance's samples, in buckets as `read` gives the host's. */
  readInstance(
    id: number,
    from: number,
    stepMs: number,
    buckets: number,
  ): Omit<InstanceUsageHistory, "hours"> {
    const rows = this.db.prepare(
      `SELECT CAST((at - ?) / ? AS INTEGER) AS bucket, AVG(cpu_percent) AS cpu,
              AVG(rss_bytes) AS rss, AVG(vram_bytes) AS vram
         FROM instance_samples WHERE instance_id = ? AND at >= ? AND at < ? GROUP BY bucket`,
    ).all(from, stepMs, id, from, from + stepMs * buckets) as unknown as {
      bucket: number;
      cpu: number;
      rss: number;
      vram: number | null;
    }[];
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
   * The samples from `from` (inclusive) for `buckets` buckets of `stepMs`, averaged per bucket;
   * a bucket no sample fell in is null in every series.
   */
  read(from: number, stepMs: number, buckets: number): Omit<UsageHistory, "hours"> {
    const to = from + stepMs * buckets;
    // Numbers are bound as REAL: the bucket is cast, or it would be a fraction.
    const hosts = this.db.prepare(
      `SELECT CAST((at - ?) / ? AS INTEGER) AS bucket, AVG(cpu_percent) AS cpu, AVG(ram_percent) AS ram
         FROM host_samples WHERE at >= ? AND at < ? GROUP BY bucket`,
    ).all(from, stepMs, from, to) as unknown as HostBucket[];
    const gpus = this.db.prepare(
      `SELECT CAST((at - ?) / ? AS INTEGER) AS bucket, gpu_id, AVG(utilization_percent) AS utilization,
              AVG(vram_percent) AS vram, AVG(temperature_c) AS temperature, AVG(power_w) AS power
         FROM gpu_samples WHERE at >= ? AND at < ? GROUP BY gpu_id, bucket`,
    ).all(from, stepMs, from, to) as unknown as GpuBucket[];
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

  /** Removes the samples older than `before`; returns how many host samples went. */
  prune(before: number): number {
    return transaction(this.db, () => {
      this.db.prepare("DELETE FROM gpu_samples WHERE at < ?").run(before);
      this.db.prepare("DELETE FROM instance_samples WHERE at < ?").run(before);
      return Number(this.db.prepare("DELETE FROM host_samples WHERE at < ?").run(before).changes);
    });
  }
}
