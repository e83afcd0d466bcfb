import { type InstanceStats, percentOf, roundTo, type SystemStats } from "../shared/stats.ts";
import type { GpuAttribution } from "./attribute_gpu_memory.ts";
import type { GpuProvider, GpuSample } from "./gpu_provider.ts";
import type { HostSample } from "./host_sampler.ts";
import type { ProcessTreeSample } from "./process_tree_sampler.ts";

/** An instance and the pid at the root of its process tree. */
export interface InstanceRoot {
  instanceId: number;
  pid: number;
}

/** Everything one sample gathered. */
export interface SystemStatsInput {
  timestamp: number;
  host: HostSample;
  gpus: GpuSample[];
  gpu: Pick<GpuProvider, "available" | "reason" | "driverVersion">;
  roots: InstanceRoot[];
  trees: Map<number, ProcessTreeSample>;
  attribution: GpuAttribution;
  /** A GPU process's command name (asked only when its pids are this /proc's). */
  processName?: (pid: number) => string | null;
}

/** Combines the samplers' results into the payload browsers receive. */
export function buildSystemStats(input: SystemStatsInput): SystemStats {
  const { host, attribution } = input;
  const ours = attribution.attribution === "ok";
  const instanceOf = new Map<number, number>();
  for (const { instanceId, pid } of input.roots) {
    for (const member of input.trees.get(pid)?.pids ?? []) instanceOf.set(member, instanceId);
  }
  const instances: Record<string, InstanceStats> = {};
  for (const { instanceId, pid } of input.roots) {
    const tree = input.trees.get(pid);
    if (!tree) continue;
    const vram = attribution.attribution === "ok" ? attribution.byRoot.get(pid) : undefined;
    instances[String(instanceId)] = {
      cpu_percent: roundTo(tree.cpuPercent, 1),
      rss_bytes: tree.rssBytes,
      vram_bytes: vram && !vram.unknown ? vram.totalBytes : null,
      vram_per_gpu: vram && !vram.unknown ? { ...vram.perGpu } : null,
    };
  }
  return {
    timestamp: input.timestamp,
    cpu_percent: roundTo(host.cpuPercent, 1),
    cpu_count: host.cpuCount,
    load_average: host.loadAverage,
    ram: {
      total: host.memoryTotalBytes,
      used: host.memoryUsedBytes,
      percent: percentOf(host.memoryUsedBytes, host.memoryTotalBytes),
    },
    memory_source: host.memorySource,
    disk: {
      total: host.diskTotalBytes,
      used: host.diskUsedBytes,
      free: host.diskFreeBytes,
      // Like df: used over what is usable (used + available), so a full disk reads 100%.
      percent: percentOf(host.diskUsedBytes, host.diskUsedBytes + host.diskFreeBytes),
    },
    gpus: input.gpus.map((gpu) => ({
      id: gpu.index,
      name: gpu.name,
      uuid: gpu.uuid,
      vram: {
        total: gpu.memoryTotalBytes,
        used: gpu.memoryUsedBytes,
        free: gpu.memoryFreeBytes,
        percent: percentOf(gpu.memoryUsedBytes, gpu.memoryTotalBytes, 2),
      },
      utilization_percent: gpu.utilizationGpuPercent,
      memory_utilization_percent: gpu.utilizationMemoryPercent,
      temperature_c: gpu.temperatureC,
      power_w: gpu.powerWatts,
      compute_capability: gpu.computeCapability,
      processes: gpu.processesAvailable
        ? gpu.processes.map((process) => ({
          pid: process.pid,
          name: ours ? input.processName?.(process.pid) ?? null : null,
          vram_bytes: process.usedMemoryBytes,
          instance_id: ours ? instanceOf.get(process.pid) ?? null : null,
        }))
        : null,
    })),
    gpu_telemetry: {
      available: input.gpu.available,
      reason: input.gpu.reason,
      driver_version: input.gpu.driverVersion,
    },
    instances,
    attribution: { status: attribution.attribution, reason: attribution.reason },
  };
}
