import { join } from "node:path";
import { detectLegacyDatabase } from "./detect_legacy_database.ts";
import { existsSync, fileTimestamp, SQLITE_SIDE_FILES } from "./scratch_copy.ts";

const MOVED_RE = /^aikore\.legacy-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$/;

/**
 * Call before opening `<dataDir>/aikore.db`: when it is a Python-AiKore database, moves it (with
 * its -wal/-shm) to `<dataDir>/aikore.legacy-<time>.db`, so a fresh database can be created
 * and the import offered from the moved file. Returns the moved path, or null.
 */
export function prepareLegacyDatabaseAtStart(
  dataDir: string,
  now: () => Date = () => new Date(),
): { legacyPath: string | null } {
  const path = join(dataDir, "aikore.db");
  if (!detectLegacyDatabase(path).legacy) return { legacyPath: null };
  const base = `aikore.legacy-${fileTimestamp(now())}`;
  let target = join(dataDir, `${base}.db`);
  const taken = (candidate: string) =>
    ["", ...SQLITE_SIDE_FILES].some((suffix) => existsSync(candidate + suffix));
  for (let n = 2; taken(target); n++) target = join(dataDir, `${base}-${n}.db`);
  // The -wal goes first: a WAL left beside a new aikore.db would be replayed into it.
  for (const suffix of SQLITE_SIDE_FILES) {
    if (existsSync(path + suffix)) Deno.renameSync(path + suffix, target + suffix);
  }
  Deno.renameSync(path, target);
  return { legacyPath: target };
}

/** Python-AiKore databases moved aside at earlier starts, oldest first. */
export function listMovedLegacyDatabases(dataDir: string): string[] {
  const found: Array<{ path: string; stamp: string; n: number }> = [];
  try {
    for (const entry of Deno.readDirSync(dataDir)) {
      const match = entry.isFile ? MOVED_RE.exec(entry.name) : null;
      if (match) {
        found.push({
          path: join(dataDir, entry.name),
          stamp: match[1] ?? "",
          n: Number(match[2] ?? 1),
        });
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found.sort((a, b) => a.stamp.localeCompare(b.stamp) || a.n - b.n).map((f) => f.path);
}
