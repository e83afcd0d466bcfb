import type { DatabaseSync } from "node:sqlite";
import { tableColumns } from "./legacy_instance_row.ts";
import { withScratchCopy } from "./scratch_copy.ts";

/** What a database file is: a Python-AiKore database (with its schema version) or not. */
export interface LegacyDetection {
  legacy: boolean;
  schemaVersion: number | null;
}

const SQLITE_MAGIC = "SQLite format 3\0";

/** Inspects an open database: `aikore_meta`, or `instances` with `base_blueprint`, means legacy. */
export function inspectLegacy(db: DatabaseSync): LegacyDetection {
  const hasMeta = tableColumns(db, "aikore_meta").length > 0;
  const legacy = hasMeta || tableColumns(db, "instances").includes("base_blueprint");
  if (!legacy) return { legacy: false, schemaVersion: null };
  if (!hasMeta) return { legacy: true, schemaVersion: 1 };
  const row = db.prepare("SELECT value FROM aikore_meta WHERE key = 'schema_version'").get() as
    | { value: unknown }
    | undefined;
  const version = Number(row?.value);
  return { legacy: true, schemaVersion: Number.isInteger(version) && version >= 1 ? version : 1 };
}

function hasSqliteHeader(path: string): boolean {
  try {
    if (!Deno.statSync(path).isFile) return false;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  const file = Deno.openSync(path, { read: true });
  try {
    const header = new Uint8Array(16);
    const read = file.readSync(header) ?? 0;
    return read === 16 && new TextDecoder().decode(header) === SQLITE_MAGIC;
  } finally {
    file.close();
  }
}

/**
 * Tells whether `path` is a Python-AiKore database (schema V1–V6; no `schema_version` ⇒ 1).
 * Never modifies the file: a missing file or a non-SQLite file is simply "not legacy".
 */
export function detectLegacyDatabase(path: string): LegacyDetection {
  if (!hasSqliteHeader(path)) return { legacy: false, schemaVersion: null };
  try {
    return withScratchCopy(path, inspectLegacy);
  } catch {
    // A corrupt or unreadable file is not one we can import; the caller reports it when opening.
    return { legacy: false, schemaVersion: null };
  }
}
