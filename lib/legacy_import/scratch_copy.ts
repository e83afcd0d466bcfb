import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

/** Suffixes of the files that together make up an SQLite database in WAL mode. */
export const SQLITE_SIDE_FILES = ["-wal", "-shm"] as const;

/** Whether anything (even a dangling link) exists at `path`. */
export function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Copies a database file and whichever of its -wal/-shm files exist; returns what was copied. */
export function copyDatabaseFiles(source: string, target: string): string[] {
  const copied: string[] = [];
  for (const suffix of ["", ...SQLITE_SIDE_FILES]) {
    if (suffix !== "" && !existsSync(source + suffix)) continue;
    Deno.copyFileSync(source + suffix, target + suffix);
    Deno.chmodSync(target + suffix, 0o600);
    copied.push(target + suffix);
  }
  return copied;
}

/**
 * Runs `read` on a private copy of the database (main file + WAL), so the original files are
 * never opened by SQLite: opening even read-only can create a -shm file or checkpoint the WAL.
 */
export function withScratchCopy<T>(source: string, read: (db: DatabaseSync) => T): T {
  const dir = Deno.makeTempDirSync({ prefix: "aikore-legacy-" });
  try {
    const copy = join(dir, "legacy.db");
    Deno.copyFileSync(source, copy);
    if (existsSync(source + "-wal")) Deno.copyFileSync(source + "-wal", copy + "-wal");
    const db = new DatabaseSync(copy);
    try {
      return read(db);
    } finally {
      db.close();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** A compact UTC time for file names: 20250102T030405Z. */
export function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
