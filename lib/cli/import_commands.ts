import { dirname, join, resolve } from "node:path";
import { openDatabase } from "../db/mod.ts";
import {
  importLegacyDatabase,
  type ImportReport,
  prepareLegacyDatabaseAtStart,
} from "../legacy_import/mod.ts";
import type { CommandResult } from "./blueprint_commands.ts";

const USAGE = "usage: aikore import-db FILE [--accept-proposed-slugs] [--dry-run] [--merge] " +
  "[--old-instances-dir DIR]";

/** What `import-db` needs from the resolved configuration. */
export interface ImportCommandContext {
  cwd: string;
  dataDir: string;
  portRange: { start: number; end: number };
}

interface ImportArgs {
  file: string;
  acceptProposedSlugs: boolean;
  dryRun: boolean;
  merge: boolean;
  oldInstancesDir: string | null;
}

function parseArgs(args: readonly string[]): ImportArgs | null {
  const parsed: ImportArgs = {
    file: "",
    acceptProposedSlugs: false,
    dryRun: false,
    merge: false,
    oldInstancesDir: null,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--accept-proposed-slugs") parsed.acceptProposedSlugs = true;
    else if (arg === "--dry-run") parsed.dryRun = true;
    else if (arg === "--merge") parsed.merge = true;
    else if (arg === "--old-instances-dir" && args[i + 1] !== undefined) {
      parsed.oldInstancesDir = args[++i] ?? null;
    } else if (arg.startsWith("--old-instances-dir=")) parsed.oldInstancesDir = arg.slice(20);
    else if (!arg.startsWith("-") && parsed.file === "") parsed.file = arg;
    else return null;
  }
  return parsed.file === "" ? null : parsed;
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** The report as text for a terminal. */
export function formatImportReport(report: ImportReport, dataDir: string): string {
  const out: string[] = [];
  const verb = report.dryRun ? "Would import" : "Imported";
  out.push(
    `${report.dryRun ? "Dry run: nothing was written. " : ""}Source: ${report.source} ` +
      `(Python AiKore, schema V${report.schemaVersion})`,
  );
  if (report.backupPath) out.push(`Backup of the old database: ${report.backupPath}`);
  out.push("", `${verb} ${report.imported.length} instance(s):`);
  for (const i of report.imported) {
    out.push(`  old #${i.oldId} "${i.name}" -> ${i.slug} (id ${i.newId})`);
  }
  const skipped = report.invalid.filter((p) => p.skipped);
  const changed = report.invalid.filter((p) => !p.skipped);
  if (skipped.length) {
    out.push("", `Not imported (${new Set(skipped.map((p) => p.oldId)).size} row(s)):`);
    for (const p of skipped) {
      const proposal = p.proposedSlug ? ` [proposed slug: ${p.proposedSlug}]` : "";
      out.push(`  old #${p.oldId} "${p.name}": ${p.field}: ${p.reason}${proposal}`);
    }
  }
  if (changed.length) {
    out.push("", "Imported with changes:");
    for (const p of changed) out.push(`  old #${p.oldId} "${p.name}": ${p.field}: ${p.reason}`);
  }
  if (report.warnings.length) out.push("", "Warnings:", ...report.warnings.map((w) => `  ${w}`));
  if (report.directories.length) {
    out.push("", "Old instance folders:");
    for (const d of report.directories) {
      const target = d.slug === null ? null : join(dataDir, "instances", d.slug);
      const state = d.path === null
        ? "name is not a folder name; not looked up"
        : !d.exists
        ? `${d.path} not found`
        : target === null
        ? `${d.path} exists (instance not imported)`
        : resolve(d.path) === resolve(target)
        ? `${d.path} already in place`
        : `${d.path} exists: move it to ${target}`;
      out.push(`  old #${d.oldId} "${d.name}": ${state}`);
    }
  }
  if (skipped.some((p) => p.proposedSlug) && !report.dryRun) {
    out.push(
      "",
      "Rows with names that are not valid slugs were left out. To bring them across, start from an " +
        "empty database and run again with --accept-proposed-slugs (preview with --dry-run).",
    );
  }
  return out.join("\n");
}

/**
 * `import-db FILE`: imports a Python-AiKore database into `<data>/aikore.db`. A legacy database
 * found at `<data>/aikore.db` itself is moved aside first (and used as FILE when FILE names it).
 */
export function importDbCommand(
  args: readonly string[],
  context: ImportCommandContext,
): Promise<CommandResult> {
  const parsed = parseArgs(args);
  if (!parsed) return Promise.resolve({ exitCode: 2, output: USAGE });
  const lines: string[] = [];
  let source = resolve(context.cwd, parsed.file);
  const dataDb = resolve(context.dataDir, "aikore.db");
  try {
    Deno.mkdirSync(context.dataDir, { recursive: true });
    const moved = prepareLegacyDatabaseAtStart(context.dataDir).legacyPath;
    if (moved) {
      lines.push(`Moved the Python-AiKore database ${dataDb} to ${moved}`);
      if (source === dataDb) source = moved;
    }
    const oldInstancesDir = parsed.oldInstancesDir !== null
      ? resolve(context.cwd, parsed.oldInstancesDir)
      : isDirectory(join(dirname(resolve(context.cwd, parsed.file)), "instances"))
      ? join(dirname(resolve(context.cwd, parsed.file)), "instances")
      : undefined;
    const target = openDatabase(dataDb);
    try {
      const report = importLegacyDatabase({
        source,
        target,
        backupDir: context.dataDir,
        portRange: context.portRange,
        acceptProposedSlugs: parsed.acceptProposedSlugs,
        merge: parsed.merge,
        dryRun: parsed.dryRun,
        ...(oldInstancesDir === undefined ? {} : { oldInstancesDir }),
      });
      lines.push(formatImportReport(report, context.dataDir));
      return Promise.resolve({ exitCode: 0, output: lines.join("\n") });
    } finally {
      target.close();
    }
  } catch (error) {
    // LegacyImportError and SQLite/file errors alike end the command with their message.
    if (!(error instanceof Error)) throw error;
    lines.push(`import-db failed: ${error.message}`);
    return Promise.resolve({ exitCode: 1, output: lines.join("\n") });
  }
}
