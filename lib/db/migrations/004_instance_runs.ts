import type { Migration } from "../migration.ts";

/** One row per run of an instance: when it started and ended, and how (run history). */
export const instanceRuns: Migration = {
  version: 4,
  name: "instance runs",
  sql: `
    CREATE TABLE instance_runs (
      id INTEGER PRIMARY KEY,
      instance_id INTEGER NOT NULL,
      started_at TEXT NOT NULL,
      ended_at TEXT,
      outcome TEXT,
      exit_code INTEGER,
      exit_signal INTEGER
    );
    CREATE INDEX instance_runs_instance ON instance_runs(instance_id, id);
  `,
};
