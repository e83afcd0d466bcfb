import type { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";

/**
 * Copies of the database made before a newer AiKore upgrades its schema, in `<data>/backups/`:
 * an upgraded database is refused by the older AiKore, so going back to it needs the copy.
 */

/** How many copies are kept (the newest). */
export const KEPT_UPGRADE_COPIES = 3;

const COPY_NAME = /^aikore-schema-(\d+)-(\d{8}T\d{6}\d{3}Z)\.db$/;

/** One copy made before an upgrade. */
export interface UpgradeCopy {
  path: string;
  /** The schema version it holds (what the AiKore before the upgrade understood). */
  schema: number;
  /** When it was made, `YYYYMMDDTHHMMSSmmmZ`. */
  made: string;
}

/** The folder of the copies of the database at `dbPath`. */
export function upgradeCopiesDir(dbPath: string): string {
  return `${dirname(dbPath)}/backups`;
}

/**
 * Writes a consistent copy of `db` (at schema `schema`) with `VACUUM INTO`, readable by its
 * owner only (it holds the password and session hashes), then keeps the newest
 * KEPT_UPGRADE_COPIES. Returns the copy's path. Throws when it cannot be written; nothing
 * half-written is left.
 */
export function copyBeforeUpgrade(
  db: DatabaseSync,
  dbPath: string,
  schema: number,
  now = new Date(),
): string {
  const dir = upgradeCopiesDir(dbPath);
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = now.toISOString().replace(/[-:.]/g, "");
  const path = `${dir}/aikore-schema-${schema}-${made}.db`;
  // VACUUM INTO writes into an empty file: created first, so it is 0600 from the start.
  Deno.writeFileSync(path, new Uint8Array(), { createNew: true, mode: 0o600 });
  try {
    db.prepare("VACUUM INTO ?").run(path);
  } catch (error) {
    Deno.removeSync(path);
    throw error;
  }
  for (const old of upgradeCopies(dbPath).slice(KEPT_UPGRADE_COPIES)) Deno.removeSync(old.path);
  return path;
}

/** The copies beside the database at `dbPath`, newest first (none when the folder is missing). */
export function upgradeCopies(dbPath: string): UpgradeCopy[] {
  const dir = upgradeCopiesDir(dbPath);
  const copies: UpgradeCopy[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const match = COPY_NAME.exec(entry.name);
      if (!entry.isFile || !match) continue;
      copies.push({ path: `${dir}/${entry.name}`, schema: Number(match[1]), made: match[2] ?? "" });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return copies.sort((a, b) => b.made.localeCompare(a.made));
}
