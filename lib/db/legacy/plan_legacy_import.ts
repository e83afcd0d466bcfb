import {
  blueprintFileProblem,
  displayNameProblem,
  hostnameProblem,
  parseGpuIds,
  portProblem,
  proposeSlug,
  relativePathProblem,
  slugProblem,
  versionProblem,
} from "../../shared/identifiers.ts";
import type { InstanceConfig } from "../instance_record.ts";
import type { LegacyInstanceRow } from "./legacy_instance_row.ts";
import { sanitizeDisplayName, uniqueSlug } from "./legacy_names.ts";

/** A legacy value that breaks a rule. `skipped`: the row was left out (else imported changed). */
export interface ImportProblem {
  oldId: number;
  name: string;
  field: string;
  reason: string;
  proposedSlug?: string;
  skipped: boolean;
}

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

type Report = (
  row: LegacyInstanceRow,
  field: string,
  reason: string,
  skipped: boolean,
  proposedSlug?: string,
) => void;

function assignSlugs(rows: readonly LegacyInstanceRow[], options: PlanOptions, report: Report) {
  const names = new Map<number, { slug: string; name: string }>();
  const taken = new Set(options.existingSlugs);
  const keeps = new Set<number>();
  for (const row of rows) {
    if (slugProblem(row.name) === null && !taken.has(row.name)) {
      taken.add(row.name);
      keeps.add(row.id);
    }
  }
  for (const row of rows) {
    if (keeps.has(row.id)) {
      names.set(row.id, { slug: row.name, name: row.name });
      continue;
    }
    const proposal = uniqueSlug(proposeSlug(row.name), taken);
    taken.add(proposal);
    const problem = slugProblem(row.name);
    const reason = problem
      ? `"${row.name}" cannot be a slug (${problem})`
      : `slug "${row.name}" is already used by another instance`;
    const applied = options.acceptProposedSlugs ? `; imported as "${proposal}"` : "";
    report(row, "name", reason + applied, !options.acceptProposedSlugs, proposal);
    if (options.acceptProposedSlugs) {
      const name = displayNameProblem(row.name)
        ? sanitizeDisplayName(row.name) || proposal
        : row.name;
      names.set(row.id, { slug: proposal, name });
    }
  }
  return names;
}

function normalizeHostname(raw: string): { value: string | null; problem: string | null } {
  let text = raw.trim();
  if (text === "") return { value: null, problem: null };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    try {
      text = new URL(text).hostname;
    } catch {
      return { value: null, problem: "is not a URL or host name" };
    }
  }
  text = text.toLowerCase().replace(/\.$/, "");
  const problem = hostnameProblem(text);
  return problem ? { value: null, problem } : { value: text, problem: null };
}

function mapRow(
  row: LegacyInstanceRow,
  names: { slug: string; name: string },
  ports: Set<number>,
  options: PlanOptions,
  report: Report,
  warnings: string[],
): InstanceConfig {
  const { slug, name } = names;
  const gpu = parseGpuIds((row.gpuIds ?? "").replace(/\s+/g, ""), null);
  if (!gpu.ok) report(row, "gpu_ids", `${gpu.reason}; imported with all GPUs`, false);

  const host = normalizeHostname(row.hostname ?? "");
  if (host.problem) {
    report(
      row,
      "hostname",
      `"${row.hostname}" ${host.problem}; imported without a custom hostname`,
      false,
    );
  } else if (host.value !== null && host.value !== row.hostname) {
    warnings.push(
      `"${name}": custom address "${row.hostname}" imported as host name "${host.value}"`,
    );
  }

  let outputPath = (row.outputPath ?? "").trim();
  if (outputPath === "") {
    outputPath = slug;
    if (slug !== row.name) {
      warnings.push(`"${name}": outputs used to go to the folder "${row.name}"; now "${slug}"`);
    }
  } else {
    const problem = relativePathProblem(outputPath);
    if (problem) {
      report(row, "output_path", `"${outputPath}" ${problem}; imported as "${slug}"`, false);
      outputPath = slug;
    }
  }

  // Persistent rows kept the public pool port in persistent_port; `port` was internal.
  const publicPort = row.persistentMode ? row.persistentPort : row.port;
  let port: number | null = null;
  if (publicPort !== null) {
    const { start, end } = options.portRange;
    const problem = portProblem(publicPort) ??
      (publicPort < start || publicPort > end
        ? `is outside the instance port pool ${start}-${end}`
        : null) ??
      (ports.has(publicPort) ? "is already used by another instance" : null);
    if (problem) {
      report(row, "port", `port ${publicPort} ${problem}; imported without a port`, false);
    } else port = publicPort;
  }
  if (port !== null) ports.add(port);

  const version = (field: string, raw: string | null): string | null => {
    const text = (raw ?? "").trim();
    if (text === "") return null;
    const problem = versionProblem(text);
    if (!problem) return text;
    report(row, field, `"${text}" ${problem}; imported without it`, false);
    return null;
  };

  return {
    parentId: null,
    name,
    slug,
    blueprint: row.blueprint,
    gpuIds: gpu.ok ? gpu.value : "",
    autostart: row.autostart,
    persistentMode: row.persistentMode,
    hostname: host.value,
    useCustomHostname: row.useCustomHostname && host.value !== null,
    outputPath,
    port,
    restartPolicy: "no",
    pythonVersion: version("python_version", row.pythonVersion),
    cudaVersion: version("cuda_version", row.cudaVersion),
    torchVersion: version("torch_version", row.torchVersion),
  };
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
  const report: Report = (row, field, reason, skipped, proposedSlug) => {
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
    const config = mapRow(row, rowNames, ports, options, report, warnings);
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
