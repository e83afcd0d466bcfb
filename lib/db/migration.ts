import type { DatabaseSync } from "node:sqlite";

/** One numbered schema step; `version` is the `user_version` after it ran. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Runs with foreign keys off (a table rebuild: DROP TABLE would cascade or be refused), then
   * `PRAGMA foreign_key_check` must come back empty before the commit.
   */
  rebuildsTables?: boolean;
}

/** Thrown when a migration fails; the database is left at the version before it. */
export class MigrationError extends Error {
  constructor(readonly migration: Migration, cause: unknown) {
    super(
      `database migration ${migration.version} (${migration.name}) failed: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "MigrationError";
  }
}

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

/**
 * Runs every migration newer than the database, each in its own transaction that also
 * bumps `user_version`. Refuses a database newer than the code.
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[]): number[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const latest = sorted.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `database schema version ${current} is newer than this AiKore understands (${latest})`,
    );
  }
  const applied: number[] = [];
  for (const migration of sorted) {
    if (migration.version <= current) continue;
    // Only effective outside a transaction, hence before BEGIN.
    const keysWereOn = migration.rebuildsTables === true && foreignKeysOn(db);
    if (keysWereOn) db.exec("PRAGMA foreign_keys = OFF");
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      if (migration.rebuildsTables) assertNoForeignKeyViolation(db);
      db.exec(`PRAGMA user_version = ${Math.trunc(migration.version)}`);
      db.exec("COMMIT");
      applied.push(migration.version);
    } catch (error) {
      db.exec("ROLLBACK");
      throw new MigrationError(migration, error);
    } finally {
      if (keysWereOn) db.exec("PRAGMA foreign_keys = ON");
    }
  }
  return applied;
}

function foreignKeysOn(db: DatabaseSync): boolean {
  const row = db.prepare("PRAGMA foreign_keys").get() as { foreign_keys: number } | undefined;
  return row?.foreign_keys === 1;
}

function assertNoForeignKeyViolation(db: DatabaseSync): void {
  const violations = db.prepare("PRAGMA foreign_key_check").all();
  if (violations.length > 0) {
    throw new Error(
      `the rebuild broke ${violations.length} foreign key(s): ${JSON.stringify(violations[0])}`,
    );
  }
}
