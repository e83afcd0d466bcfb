/** A whole `SystemStats` for tests: a quiet host with no GPU, and what a test sets over it. */
import type { SystemStats } from "../../lib/shared/stats.ts";

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
