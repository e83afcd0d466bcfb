import type { Migration } from "../migration.ts";

/**
 * The usage history (lib/shared/usage_history.ts): a host row, one row per GPU and one per
 * running instance every 10 s (tier 0, kept 6 hours), and their 5-minute averages (tier 1, kept
 * 7 days). Keyed by tier and time (an instance's by instance first), so a range is read and
 * pruned along a key. Instance ids are never reused: an instance's rows stay its own.
 */
export const usageHistory: Migration = {
  version: 7,
  name: "usage history",
  sql: `
    CREATE TABLE host_samples (
      tier INTEGER NOT NULL CHECK (tier IN (0, 1)),
      at INTEGER NOT NULL,
      cpu_percent REAL NOT NULL,
      ram_percent REAL NOT NULL,
      PRIMARY KEY (tier, at)
    ) WITHOUT ROWID;
    CREATE TABLE gpu_samples (
      tier INTEGER NOT NULL CHECK (tier IN (0, 1)),
      at INTEGER NOT NULL,
      gpu_id INTEGER NOT NULL CHECK (gpu_id >= 0),
      utilization_percent REAL,
      vram_percent REAL NOT NULL,
      temperature_c REAL,
      power_w REAL,
      PRIMARY KEY (tier, at, gpu_id)
    ) WITHOUT ROWID;
    CREATE TABLE instance_samples (
      instance_id INTEGER NOT NULL,
      tier INTEGER NOT NULL CHECK (tier IN (0, 1)),
      at INTEGER NOT NULL,
      cpu_percent REAL NOT NULL,
      rss_bytes INTEGER NOT NULL,
      vram_bytes INTEGER,
      PRIMARY KEY (instance_id, tier, at)
    ) WITHOUT ROWID;
    CREATE INDEX instance_samples_age ON instance_samples (tier, at);
  `,
};
