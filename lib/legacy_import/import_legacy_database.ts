import type { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { transaction } from "../db/mod.ts";
import { InstanceRepository } from "../db/mod.ts";
import { detectLegacyDatabase } from "./detect_legacy_database.ts";
import { LegacyImportError } from "./legacy_import_error.ts";
import { type LegacyInstanceRow, readLegacyInstances } from "./legacy_instance_row.ts";
import { type ImportPlan, type ImportProblem, planLegacyImport } from "./plan_legacy_import.ts";
import { copyDatabaseFiles, existsSync, fileTimestamp, withScratchCopy } from "./scratch_copy.ts";

/** Newest Python-AiKore schema this importer knows. */
export const LATEST_LEGACY_SCHEMA = 6;

/** Where each legacy instance's folder was (`<oldInstancesDir>/<name>`) and whether it exists. */
export interface LegacyDirectory {
  oldId: number;
  name: string;
  /** The new slug, or null when the row was not imported. */
  slug: string | null;
  /** Null when the name cannot be a folder name (it holds '/', or is '.' or '..'). */
  path: string | null;
  exists: boolean;
}

/** What an import did. `invalid` lists every rule a legacy value broke and what became of it. */
export interface ImportReport {
  source: string;
  schemaVersion: number;
  imported: Array<{ oldId: number; newId: number; slug: string; name: string }>;
  invalid: ImportProblem[];
  warnings: string[];
  /** Copy of the old files taken before importing; empty on a dry run. */
  backupPath: string;
  directories: LegacyDirectory[];
  /** True when nothing was written (`dryRun`): ids are the ones an import would have given. */
  dryRun: boolean;
}

export interface ImportOptions {
  source: string;
  target: DatabaseSync;
  backupDir: string;
  acceptProposedSlugs?: boolean;
  oldInstancesDir?: string;
  portRange: { start: number; end: number };
  /** Import into a database that already has instances (slugs and ports stay unique). */
  merge?: boolean;
  /** Run every step, inserts included, then roll back: a faithful preview. No backup is made. */
  dryRun?: boolean;
}

class RollBack extends Error {
  constructor(readonly imported: ImportReport["imported"]) {
    super("dry run");
  }
}

function backup(source: string, backupDir: string): string {
  Deno.mkdirSync(backupDir, { recursive: true });
  const stamp = fileTimestamp(new Date());
  let path = join(backupDir, `aikore-python-backup-${stamp}.db`);
  for (let n = 2; existsSync(path); n++) {
    path = join(backupDir, `aikore-python-backup-${stamp}-${n}.db`);
  }
  copyDatabaseFiles(source, path);
  return path;
}

function directories(
  rows: readonly LegacyInstanceRow[],
  plan: ImportPlan,
  oldInstancesDir: string,
): LegacyDirectory[] {
  const slugs = new Map(plan.instances.map((p) => [p.oldId, p.config.slug]));
  return rows.map((row) => {
    const plain = row.name !== "" && row.name !== "." && row.name !== ".." &&
      !row.name.includes("/") && !row.name.includes("\0");
    const path = plain ? join(oldInstancesDir, row.name) : null;
    let exists = false;
    if (path !== null) {
      try {
        exists = Deno.statSync(path).isDirectory;
      } catch { /* missing or unreadable: reported as not found */ }
    }
    return { oldId: row.id, name: row.name, slug: slugs.get(row.id) ?? null, path, exists };
  });
}

function execute(
  target: DatabaseSync,
  plan: ImportPlan,
  options: { merge: boolean; dryRun: boolean },
): ImportReport["imported"] {
  const repository = new InstanceRepository(target);
  const { merge, dryRun } = options;
  try {
    return transaction(target, () => {
      const count = repository.count();
      if (count > 0 && !merge) {
        throw new LegacyImportError(
          `the target database already has ${count} instance(s); import into an empty database or merge`,
        );
      }
      const newIds = new Map<number, number>();
      const imported = plan.instances.map(({ oldId, parentOldId, config }) => {
        const parentId = parentOldId === null ? null : newIds.get(parentOldId);
        if (parentId === undefined) {
          throw new Error(`parent of legacy instance ${oldId} was not inserted`);
        }
        const record = repository.insert({ ...config, parentId });
        if (record.invalidReason) {
          throw new Error(
            `imported instance "${config.slug}" breaks a rule: ${record.invalidReason}`,
          );
        }
        newIds.set(oldId, record.id);
        return { oldId, newId: record.id, slug: record.slug, name: record.name };
      });
      if (dryRun) throw new RollBack(imported);
      return imported;
    });
  } catch (error) {
    if (error instanceof RollBack) return error.imported;
    throw error;
  }
}

/**
 * Imports every instance of a Python-AiKore database into `target`, in one transaction (all or
 * nothing). The old files are never opened in place: they are copied to `backupDir` first and
 * read from a private copy. Throws LegacyImportError when the import cannot run.
 */
export function importLegacyDatabase(options: ImportOptions): ImportReport {
  const { source, target } = options;
  if (!existsSync(source)) throw new LegacyImportError(`${source} does not exist`);
  const detection = detectLegacyDatabase(source);
  if (!detection.legacy || detection.schemaVersion === null) {
    throw new LegacyImportError(
      `${source} is not a Python-AiKore database (no aikore_meta table, no instances.base_blueprint)`,
    );
  }
  const repository = new InstanceRepository(target);
  if (!options.merge && repository.count() > 0) {
    throw new LegacyImportError(
      `the target database already has ${repository.count()} instance(s); import into an empty database or merge`,
    );
  }
  const dryRun = options.dryRun ?? false;
  const backupPath = dryRun ? "" : backup(source, options.backupDir);
  const rows = withScratchCopy(source, readLegacyInstances);
  const existing = repository.list();
  const plan = planLegacyImport(rows, {
    acceptProposedSlugs: options.acceptProposedSlugs ?? false,
    portRange: options.portRange,
    existingSlugs: new Set(existing.map((i) => i.slug)),
    usedPorts: repository.usedPorts(),
  });
  const warnings = [...plan.warnings];
  if (detection.schemaVersion > LATEST_LEGACY_SCHEMA) {
    warnings.unshift(
      `schema version ${detection.schemaVersion} is newer than V${LATEST_LEGACY_SCHEMA}: unknown columns were ignored`,
    );
  }
  const dirs = options.oldInstancesDir === undefined
    ? []
    : directories(rows, plan, options.oldInstancesDir);
  const imported = execute(target, plan, { merge: options.merge ?? false, dryRun });
  return {
    source,
    schemaVersion: detection.schemaVersion,
    imported,
    invalid: plan.invalid,
    warnings,
    backupPath,
    directories: dirs,
    dryRun,
  };
}
