import type { Migration } from "../migration.ts";

/** The first schema: instances, display order, settings, sessions, API tokens, audit log. */
export const initialSchema: Migration = {
  version: 1,
  name: "initial schema",
  sql: `
    CREATE TABLE instances (
      id INTEGER PRIMARY KEY,
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
    CREATE INDEX instances_parent ON instances(parent_id);

    CREATE TABLE display_order (
      instance_id INTEGER PRIMARY KEY REFERENCES instances(id) ON DELETE CASCADE,
      position INTEGER NOT NULL
    );

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    CREATE TABLE sessions (
      id_hash TEXT PRIMARY KEY,
      csrf_token TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      client TEXT
    );

    CREATE TABLE api_tokens (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,
      prefix TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER,
      revoked_at INTEGER
    );

    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT,
      client TEXT,
      detail TEXT
    );
    CREATE INDEX audit_log_at ON audit_log(at);
  `,
};
