import { DatabaseSync } from "node:sqlite";
import { migrate } from "./migration.ts";
import { MIGRATIONS } from "./migrations/list.ts";

/** Opens (creating if needed) an AiKore database with WAL, foreign keys and a busy timeout. */
export function openDatabase(path: string, options: { migrate?: boolean } = {}): DatabaseSync {
  // Created 0600 before SQLite opens it: its -wal and -shm files take the same mode, and they
  // hold password and session hashes.
  if (path !== ":memory:") Deno.openSync(path, { create: true, write: true, mode: 0o600 }).close();
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA synchronous = NORMAL");
    if (options.migrate !== false) migrate(db, MIGRATIONS);
  } catch (error) {
    db.close();
    throw error;
  }
  if (path !== ":memory:") {
    try {
      Deno.chmodSync(path, 0o600);
    } catch { /* a read-only or foreign-owned file keeps its mode */ }
  }
  return db;
}

/**
 * Runs `work` inside `BEGIN IMMEDIATE … COMMIT`, rolling back on any error. Not re-entrant:
 * callers inside a transaction call the work directly.
 */
export function transaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}
