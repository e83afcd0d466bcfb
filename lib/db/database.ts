import { DatabaseSync } from "node:sqlite";
import type { Logger } from "../log/mod.ts";
import { migrate, schemaVersion } from "./migration.ts";
import { MIGRATIONS } from "./migrations/list.ts";
import { copyBeforeUpgrade, upgradeCopies } from "./upgrade_copies.ts";

export interface OpenDatabaseOptions {
  /** Brings the schema up to date (default true). */
  migrate?: boolean;
  /** Told of the copy made before an upgrade, or why none could be made. */
  logger?: Logger;
}

/**
 * Opens (creating if needed) an AiKore database with WAL, foreign keys and a busy timeout, and
 * brings its schema up to date. Before an upgrade of an existing database, a copy of it is made
 * in `<its folder>/backups/` (the AiKore before the upgrade refuses the upgraded file: the copy is
 * the way back). A copy that cannot be made (a full disk) is logged and the upgrade goes on: it is
 * one transaction per step either way, and AiKore must still start to take back its instances.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  // Created 0600 before SQLite opens it: its -wal and -shm files take the same mode, and they
  // hold password and session hashes.
  if (path !== ":memory:") Deno.openSync(path, { create: true, write: true, mode: 0o600 }).close();
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA synchronous = NORMAL");
    if (options.migrate !== false) {
      if (path !== ":memory:") beforeUpgrade(db, path, options.logger);
      migrate(db, MIGRATIONS);
    }
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

/** The newest schema this AiKore knows. */
const LATEST_SCHEMA = Math.max(...MIGRATIONS.map((m) => m.version));

/**
 * Copies an existing database that is about to be upgraded; refuses one newer than this AiKore,
 * naming the copy made before that upgrade, if there is one.
 */
function beforeUpgrade(db: DatabaseSync, path: string, logger: Logger | undefined): void {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA) {
    const copy = upgradeCopies(path).find((c) => c.schema <= LATEST_SCHEMA);
    throw new Error(
      `database schema version ${current} is newer than this AiKore understands ` +
        `(${LATEST_SCHEMA}): a newer AiKore upgraded it. Run that version again` +
        (copy
          ? `, or go back to the copy made before the upgrade: stop AiKore, then copy ${copy.path} over ${path}`
          : ""),
    );
  }
  if (current === 0 || current === LATEST_SCHEMA) return;
  try {
    const copy = copyBeforeUpgrade(db, path, current);
    logger?.info("copied the database before upgrading its schema", {
      from: current,
      to: LATEST_SCHEMA,
      copy,
    });
  } catch (error) {
    logger?.warn("could not copy the database before upgrading it; upgrading anyway", {
      from: current,
      to: LATEST_SCHEMA,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
