import {
  hostnameProblem,
  parseGpuIds,
  portProblem,
  relativePathProblem,
  versionProblem,
} from "../shared/identifiers.ts";
import type { InstanceConfig } from "../db/mod.ts";
import type { ReportProblem } from "./import_problem.ts";
import type { LegacyInstanceRow } from "./legacy_instance_row.ts";

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

/**
 * The new configuration of one legacy row. Bad values are reported and replaced by a safe
 * default; `ports` holds the public ports already given out and receives this row's.
 */
export function mapLegacyRow(
  row: LegacyInstanceRow,
  names: { slug: string; name: string },
  ports: Set<number>,
  portRange: { start: number; end: number },
  report: ReportProblem,
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
    const { start, end } = portRange;
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
