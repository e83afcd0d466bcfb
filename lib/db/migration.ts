import type { DatabaseSync } from "node:sqlite";

/** One numbered schema step; `version` is the `user_version` after it ran. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
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
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${Math.trunc(migration.version)}`);
      db.exec("COMMIT");
      applied.push(migration.version);
    } catch (error) {
      db.exec("ROLLBACK");
      throw new MigrationError(migration, error);
    }
  }
  return applied;
}
