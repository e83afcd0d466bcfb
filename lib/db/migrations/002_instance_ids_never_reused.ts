import type { Migration } from "../migration.ts";

// The columns of `instances` as of migration 1, in order.
const COLUMNS = [
  "id",
  "parent_id",
  "name",
  "slug",
  "blueprint",
  "gpu_ids",
  "autostart",
  "persistent_mode",
  "hostname",
  "use_custom_hostname",
  "output_path",
  "port",
  "restart_policy",
  "python_version",
  "cuda_version",
  "torch_version",
  "created_at",
  "updated_at",
  "status",
  "status_message",
  "pid",
  "pid_start_ticks",
  "started_at",
  "app_port",
  "vnc_display",
  "vnc_port",
  "exit_code",
  "exit_signal",
].join(", ");

/**
 * Instance ids are never reused: a new id is always above every id ever handed out, so the
 * marker `<install>.<id>`, a terminal keyed by the id or a stale link never reach a later
 * instance. SQLite gives that only with AUTOINCREMENT, which needs a table rebuild; rows,
 * display order and the parent links are kept, and the sequence starts at the highest id
 * now in use.
 */
export const instanceIdsNeverReused: Migration = {
  version: 2,
  name: "instance ids are never reused",
  rebuildsTables: true,
  sql: `
    CREATE TABLE instances_rebuilt (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      parent_id INTEGER REFERENCES instances(id) ON DELETE RESTRICT,
      name TEXT NOT NULL,
      slug TEXT NOT NULL UNIQUE,
      blueprint TEXT NOT NULL,
      gpu_ids TEXT NOT NULL DEFAULT '',
      autostart INTEGER NOT NULL DEFAULT 0 CHECK (autostart IN (0, 1)),
      persistent_mode INTEGER NOT NULL DEFAULT 0 CHECK (persistent_mode IN (0, 1)),
      hostname TEXT,
      use_custom_hostname INTEGER NOT NULL DEFAULT 0 CHECK (use_custom_hostname IN (0, 1)),
      output_path TEXT NOT NULL,
      port INTEGER UNIQUE,
      restart_policy TEXT NOT NULL DEFAULT 'no',
      python_version TEXT,
      cuda_version TEXT,
      torch_version TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'stopped',
      status_message TEXT,
      pid INTEGER,
      pid_start_ticks INTEGER,
      started_at TEXT,
      app_port INTEGER,
      vnc_display INTEGER,
      vnc_port INTEGER,
      exit_code INTEGER,
      exit_signal INTEGER
    );
    INSERT INTO instances_rebuilt (${COLUMNS}) SELECT ${COLUMNS} FROM instances;
    DROP TABLE instances;
    ALTER TABLE instances_rebuilt RENAME TO instances;
    CREATE INDEX instances_parent ON instances(parent_id);
    DELETE FROM sqlite_sequence WHERE name = 'instances';
    INSERT INTO sqlite_sequence (name, seq) SELECT 'instances', COALESCE(MAX(id), 0) FROM instances;
  `,
};
