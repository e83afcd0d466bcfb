/** A whole `SystemStats` for tests: a quiet host with no GPU, and what a test sets over it. */
import type { GpuStats, SystemStats } from "../../lib/shared/stats.ts";

export function systemStats(overrides: Partial<SystemStats> = {}): SystemStats {
  return {
    timestamp: 0,
    cpu_percent: 0,
    cpu_count: 2,
    load_average: [0, 0, 0],
    ram: { total: 100, used: 40, percent: 40 },
    memory_source: "host",
    disk: { total: 1, used: 0, free: 1, percent: 0 },
    gpus: [],
    gpu_telemetry: { available: true, reason: null, driver_version: null },
    instances: {},
    attribution: { status: "ok", reason: null },
    ...overrides,
  };
}

/** One GPU `id` (8 GB, 6 GB used, at rest, no process listed) and what a test sets over it. */
export function gpuStats(id: number, overrides: Partial<GpuStats> = {}): GpuStats {
  return {
    id,
    name: "GPU",
    uuid: `GPU-${id}`,
    vram: { total: 8e9, used: 6e9, free: 2e9, percent: 75 },
    utilization_percent: 0,
    memory_utilization_percent: null,
    temperature_c: null,
    power_w: null,
    compute_capability: null,
    processes: null,
    ...overrides,
  };
}
