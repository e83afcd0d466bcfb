import { blueprintFileProblem } from "../shared/identifiers.ts";
import type { InstanceConfig } from "../db/mod.ts";
import type { ImportProblem, ReportProblem } from "./import_problem.ts";
import type { LegacyInstanceRow } from "./legacy_instance_row.ts";
import { assignSlugs } from "./legacy_names.ts";
import { mapLegacyRow } from "./map_legacy_row.ts";

export type { ImportProblem } from "./import_problem.ts";

/** One instance to insert; `config.parentId` is set from `parentOldId` once the parent exists. */
export interface PlannedInstance {
  oldId: number;
  parentOldId: number | null;
  config: InstanceConfig;
}

/** What an import will do, computed without touching any database. */
export interface ImportPlan {
  instances: PlannedInstance[];
  invalid: ImportProblem[];
  warnings: string[];
}

export interface PlanOptions {
  acceptProposedSlugs: boolean;
  portRange: { start: number; end: number };
  /** Slugs and ports already held in the target database (merge imports). */
  existingSlugs: ReadonlySet<string>;
  usedPorts: ReadonlySet<number>;
}

function parentProblem(
  row: LegacyInstanceRow,
  byId: ReadonlyMap<number, LegacyInstanceRow>,
  importable: (id: number) => boolean,
): string | null {
  if (row.parentId === null) return null;
  const parent = byId.get(row.parentId);
  if (!parent) return `parent instance ${row.parentId} does not exist`;
  if (parent.parentId !== null) {
    return `parent "${parent.name}" is itself a satellite (satellites cannot have satellites)`;
  }
  if (!importable(parent.id)) {
    return `parent "${parent.name}" (old id ${parent.id}) is not imported`;
  }
  return null;
}

/**
 * Decides how every legacy row maps to a new instance: slugs (never colliding; invalid names
 * only under `acceptProposedSlugs`), ports inside the pool and free, satellites after their
 * parents. Pure: the caller executes the plan.
 */
export function planLegacyImport(
  rows: readonly LegacyInstanceRow[],
  options: PlanOptions,
): ImportPlan {
  const sorted = [...rows].sort((a, b) => a.id - b.id);
  const invalid: ImportProblem[] = [];
  const warnings: string[] = [];
  const report: ReportProblem = (row, field, reason, skipped, proposedSlug) => {
    invalid.push({
      oldId: row.id,
      name: row.name,
      field,
      reason,
      skipped,
      ...(proposedSlug ? { proposedSlug } : {}),
    });
  };
  const names = assignSlugs(sorted, options, report);
  for (const row of sorted) {
    const problem = blueprintFileProblem(row.blueprint);
    if (problem) {
      report(row, "base_blueprint", `"${row.blueprint}" ${problem}`, true);
      names.delete(row.id);
    }
  }
  const byId = new Map(sorted.map((row) => [row.id, row]));
  const ports = new Set(options.usedPorts);
  const instances: PlannedInstance[] = [];
  const parents = sorted.filter((row) => row.parentId === null);
  const satellites = sorted.filter((row) => row.parentId !== null);
  for (const row of [...parents, ...satellites]) {
    const rowNames = names.get(row.id);
    if (!rowNames) continue;
    const problem = parentProblem(row, byId, (id) => names.has(id));
    if (problem) {
      report(row, "parent_instance_id", problem, true);
      continue;
    }
    const config = mapLegacyRow(row, rowNames, ports, options.portRange, report, warnings);
    const parent = row.parentId === null ? null : byId.get(row.parentId);
    if (parent && parent.blueprint !== row.blueprint) {
      // A satellite always ran its parent's launch.sh; the new model makes that explicit.
      warnings.push(
        `"${config.name}": satellite blueprint "${row.blueprint}" replaced by its parent's "${parent.blueprint}"`,
      );
      config.blueprint = parent.blueprint;
    }
    instances.push({ oldId: row.id, parentOldId: row.parentId, config });
  }
  invalid.sort((a, b) => a.oldId - b.oldId);
  return { instances, invalid, warnings };
}
