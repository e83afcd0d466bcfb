import type { Migration } from "../migration.ts";

/**
 * The usage history (lib/shared/usage_history.ts): a host row, one row per GPU and one per
 * running instance every 10 s, kept 7 days. Keyed by time (an instance's by instance, then
 * time), so a range is read and pruned along a key. Instance ids are never reused, so an
 * instance's samples stay its own until they age out.
 */
export const usageHistory: Migration = {
  version: 7,
  name: "usage history",
  sql: `
    CREATE TABLE host_samples (
      at INTEGER PRIMARY KEY,
      cpu_percent REAL NOT NULL,
      ram_percent REAL NOT NULL
    );
    CREATE TABLE gpu_samples (
      at INTEGER NOT NULL,
      gpu_id INTEGER NOT NULL CHECK (gpu_id >= 0),
      utilization_percent REAL,
      vram_percent REAL NOT NULL,
      temperature_c REAL,
      power_w REAL,
      PRIMARY KEY (at, gpu_id)
    ) WITHOUT ROWID;
    CREATE TABLE instance_samples (
      instance_id INTEGER NOT NULL,
      at INTEGER NOT NULL,
      cpu_percent REAL NOT NULL,
      rss_bytes INTEGER NOT NULL,
      vram_bytes INTEGER,
      PRIMARY KEY (instance_id, at)
    ) WITHOUT ROWID;
    CREATE INDEX instance_samples_at ON instance_samples (at);
  `,
};
