import type { Migration } from "../migration.ts";

/**
 * The usage history (lib/shared/usage_history.ts): a host row and one row per GPU every 10 s,
 * kept 7 days. Keyed by time, so a range is read and pruned along the primary key.
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
  `,
};
