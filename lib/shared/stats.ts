/**
 * System telemetry pushed to browsers (SSE) and returned by `GET /api/system/stats`.
 * The field names keep the Python AiKore's (`cpu_percent`, `ram`, `gpus[].vram`,
 * `utilization_percent`); everything else is additive.
 */

/** One GPU as reported by NVML. */
export interface GpuStats {
  /** NVML index (PCI bus order, matching `CUDA_DEVICE_ORDER=PCI_BUS_ID`). */
  id: number;
  name: string;
  uuid: string;
  /** Bytes; `percent` is used/total × 100, 2 decimals. */
  vram: { total: number; used: number; free: number; percent: number };
  utilization_percent: number | null;
  memory_utilization_percent: number | null;
  temperature_c: number | null;
  power_w: number | null;
  /** "major.minor", e.g. "9.0". */
  compute_capability: string | null;
  /** The compute processes on it; null when the driver cannot list them (before 510). */
  processes: GpuProcessStats[] | null;
}

/** A process NVML reports on a GPU, and whose it is. */
export interface GpuProcessStats {
  pid: number;
  /** Its command name; null where it cannot be read (another PID namespace). */
  name: string | null;
  /** VRAM it holds; null when NVML cannot tell (MIG). */
  vram_bytes: number | null;
  /** The instance whose process tree it is in; null for another's (or when it cannot be told). */
  instance_id: number | null;
}

/** Resource use of one instance's whole process tree. */
export interface InstanceStats {
  /** Percent of one CPU core (like `top`): 250 = two and a half cores busy. */
  cpu_percent: number;
  /** Sum of the resident set sizes of every process in the tree (shared pages counted per process). */
  rss_bytes: number;
  /** VRAM used by the tree's processes; null when it cannot be attributed (see `attribution`). */
  vram_bytes: number | null;
  /** VRAM per GPU index; null when it cannot be attributed. */
  vram_per_gpu: Record<string, number> | null;
}

/** Where the RAM figures come from: the container's cgroup limit, or the whole host. */
export type MemorySource = "cgroup-v2" | "cgroup-v1" | "host";

/** One combined telemetry sample. */
export interface SystemStats {
  /** Milliseconds since the epoch when the sample was taken. */
  timestamp: number;
  /** Busy CPU, 0–100, of the cgroup's CPU quota when one is set, else of the whole host. */
  cpu_percent: number;
  /** Effective CPUs: online CPUs, reduced by the cgroup quota (may be fractional, e.g. 1.5). */
  cpu_count: number;
  load_average: [number, number, number];
  /** Bytes; page cache is not counted as used. */
  ram: { total: number; used: number; percent: number };
  memory_source: MemorySource;
  /** Bytes of the file system holding the data directory; `free` is what AiKore may still use. */
  disk: { total: number; used: number; free: number; percent: number };
  gpus: GpuStats[];
  gpu_telemetry: { available: boolean; reason: string | null; driver_version: string | null };
  /** Keyed by instance id. Instances without a running process are absent. */
  instances: Record<string, InstanceStats>;
  /** Whether per-instance VRAM could be attributed, and why not. */
  attribution: { status: "ok" | "unavailable"; reason: string | null };
}

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/** Formats bytes with 1024-based units, e.g. `formatBytes(1536) === "1.50 KB"`. */
export function formatBytes(bytes: number, decimals = 2): string {
  if (!Number.isFinite(bytes)) return "–";
  const sign = bytes < 0 ? "-" : "";
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${sign}${unit === 0 ? value : value.toFixed(decimals)} ${BYTE_UNITS[unit]}`;
}

/** Formats a percentage, e.g. `formatPercent(12.345) === "12.3%"`; null shows as "–". */
export function formatPercent(value: number | null, decimals = 1): string {
  return value === null || !Number.isFinite(value) ? "–" : `${value.toFixed(decimals)}%`;
}

/** Rounds to `decimals` places (for percentages in API payloads). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** `part / whole × 100`, rounded; 0 when `whole` is 0. */
export function percentOf(part: number, whole: number, decimals = 1): number {
  return whole > 0 ? roundTo((part / whole) * 100, decimals) : 0;
}
