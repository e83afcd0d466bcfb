import {
  blueprintFileProblem,
  displayNameProblem,
  hostnameProblem,
  parseGpuIds,
  portProblem,
  relativePathProblem,
  slugProblem,
  versionProblem,
} from "../shared/identifiers.ts";
import { idleStopProblem } from "../shared/idle_stop.ts";
import {
  INSTANCE_STATUSES,
  type InstanceStatus,
  RESTART_POLICIES,
  type RestartPolicy,
} from "../shared/instance_schema.ts";

/** Configuration of an instance: what the user chose. */
export interface InstanceConfig {
  parentId: number | null;
  name: string;
  slug: string;
  blueprint: string;
  gpuIds: string;
  autostart: boolean;
  persistentMode: boolean;
  hostname: string | null;
  useCustomHostname: boolean;
  outputPath: string;
  port: number | null;
  restartPolicy: RestartPolicy;
  pythonVersion: string | null;
  cudaVersion: string | null;
  torchVersion: string | null;
  /** Idle-stop policy in minutes; null or absent: off (added in schema 5). */
  idleStopMinutes?: number | null;
}

/** Runtime state of an instance: what AiKore observed. */
export interface InstanceRuntime {
  status: InstanceStatus;
  statusMessage: string | null;
  pid: number | null;
  pidStartTicks: number | null;
  startedAt: string | null;
  appPort: number | null;
  vncDisplay: number | null;
  vncPort: number | null;
  exitCode: number | null;
  exitSignal: number | null;
}

/** One instance row as plain data. `invalidReason` is set when the stored row breaks a rule. */
export interface InstanceRecord extends InstanceConfig, InstanceRuntime {
  id: number;
  createdAt: string;
  updatedAt: string;
  invalidReason: string | null;
}

/** The raw SQLite row. */
export interface InstanceRow {
  id: number;
  parent_id: number | null;
  name: string;
  slug: string;
  blueprint: string;
  gpu_ids: string;
  autostart: number;
  persistent_mode: number;
  hostname: string | null;
  use_custom_hostname: number;
  output_path: string;
  port: number | null;
  restart_policy: string;
  python_version: string | null;
  cuda_version: string | null;
  torch_version: string | null;
  /** Absent on a row read before migration 5. */
  idle_stop_minutes?: number | null;
  created_at: string;
  updated_at: string;
  status: string;
  status_message: string | null;
  pid: number | null;
  pid_start_ticks: number | null;
  started_at: string | null;
  app_port: number | null;
  vnc_display: number | null;
  vnc_port: number | null;
  exit_code: number | null;
  exit_signal: number | null;
}

/** The first rule a stored row breaks, as "field: reason", or null. Rows are untrusted input too. */
export function rowProblem(row: InstanceRow): string | null {
  const checks: Array<[string, string | null]> = [
    ["slug", slugProblem(row.slug)],
    ["name", displayNameProblem(row.name)],
    ["base_blueprint", blueprintFileProblem(row.blueprint)],
    ["output_path", relativePathProblem(row.output_path)],
    ["hostname", row.hostname === null ? null : hostnameProblem(row.hostname)],
    ["port", row.port === null ? null : portProblem(row.port)],
    ["app_port", row.app_port === null ? null : portProblem(row.app_port)],
    ["python_version", row.python_version === null ? null : versionProblem(row.python_version)],
    ["cuda_version", row.cuda_version === null ? null : versionProblem(row.cuda_version)],
    ["torch_version", row.torch_version === null ? null : versionProblem(row.torch_version)],
    ["idle_stop_minutes", idleStopProblem(row.idle_stop_minutes ?? null)],
  ];
  const gpu = parseGpuIds(row.gpu_ids, null);
  if (!gpu.ok) checks.push(["gpu_ids", gpu.reason]);
  if (!(RESTART_POLICIES as readonly string[]).includes(row.restart_policy)) {
    checks.push(["restart_policy", `unknown policy "${row.restart_policy}"`]);
  }
  for (const [field, problem] of checks) if (problem) return `${field}: ${problem}`;
  return null;
}

/** Converts a row to a record, validating it. */
export function rowToRecord(row: InstanceRow): InstanceRecord {
  const status = (INSTANCE_STATUSES as readonly string[]).includes(row.status)
    ? row.status as InstanceStatus
    : "error";
  return {
    id: row.id,
    parentId: row.parent_id,
    name: row.name,
    slug: row.slug,
    blueprint: row.blueprint,
    gpuIds: row.gpu_ids,
    autostart: row.autostart === 1,
    persistentMode: row.persistent_mode === 1,
    hostname: row.hostname,
    useCustomHostname: row.use_custom_hostname === 1,
    outputPath: row.output_path,
    port: row.port,
    restartPolicy: row.restart_policy === "on-failure" ? "on-failure" : "no",
    pythonVersion: row.python_version,
    cudaVersion: row.cuda_version,
    torchVersion: row.torch_version,
    idleStopMinutes: row.idle_stop_minutes || null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status,
    statusMessage: row.status_message,
    pid: row.pid,
    pidStartTicks: row.pid_start_ticks,
    startedAt: row.started_at,
    appPort: row.app_port,
    vncDisplay: row.vnc_display,
    vncPort: row.vnc_port,
    exitCode: row.exit_code,
    exitSignal: row.exit_signal,
    invalidReason: rowProblem(row),
  };
}

/** Column names for each config and runtime field. */
export const CONFIG_COLUMNS: Record<keyof InstanceConfig, string> = {
  parentId: "parent_id",
  name: "name",
  slug: "slug",
  blueprint: "blueprint",
  gpuIds: "gpu_ids",
  autostart: "autostart",
  persistentMode: "persistent_mode",
  hostname: "hostname",
  useCustomHostname: "use_custom_hostname",
  outputPath: "output_path",
  port: "port",
  restartPolicy: "restart_policy",
  pythonVersion: "python_version",
  cudaVersion: "cuda_version",
  torchVersion: "torch_version",
  idleStopMinutes: "idle_stop_minutes",
};

export const RUNTIME_COLUMNS: Record<keyof InstanceRuntime, string> = {
  status: "status",
  statusMessage: "status_message",
  pid: "pid",
  pidStartTicks: "pid_start_ticks",
  startedAt: "started_at",
  appPort: "app_port",
  vncDisplay: "vnc_display",
  vncPort: "vnc_port",
  exitCode: "exit_code",
  exitSignal: "exit_signal",
};
