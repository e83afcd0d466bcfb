import type { Migration } from "../migration.ts";

/**
 * Downloads into the shared models folder, kept so that a restart of AiKore goes on with them.
 * A token given for a download is never stored: `had_token` says one must be given again.
 */
export const modelDownloads: Migration = {
  version: 6,
  name: "model downloads",
  sql: `
    CREATE TABLE model_downloads (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      url TEXT NOT NULL,
      folder TEXT NOT NULL,
      name TEXT,
      status TEXT NOT NULL
        CHECK (status IN ('queued', 'downloading', 'retrying', 'paused', 'failed', 'done')),
      bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
      total INTEGER CHECK (total IS NULL OR total >= 0),
      message TEXT,
      had_token INTEGER NOT NULL DEFAULT 0 CHECK (had_token IN (0, 1)),
      sha256 TEXT CHECK (sha256 IS NULL OR length(sha256) = 64),
      created_at TEXT NOT NULL,
      finished_at TEXT
    );
  `,
};
