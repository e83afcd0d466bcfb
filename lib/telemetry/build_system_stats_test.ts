import { assertEquals } from "../../tests/helpers/assert.ts";
import { buildSystemStats } from "./build_system_stats.ts";
import type { HostSample } from "./host_sampler.ts";

const host: HostSample = {
  cpuPercent: 12.345,
  cpuCount: 1.5,
  memoryUsedBytes: 1,
  memoryTotalBytes: 3,
  memorySource: "cgroup-v2",
  diskUsedBytes: 30,
  diskTotalBytes: 100,
  diskFreeBytes: 60,
  loadAverage: [1, 2, 3],
};

Deno.test("buildSystemStats keeps the Python field names and omits instances without a process", () => {
  const stats = buildSystemStats({
    timestamp: 5,
    host,
    gpus: [],
    gpu: { available: false, reason: "no GPU telemetry: x", driverVersion: null },
    roots: [{ instanceId: 1, pid: 10 }, { instanceId: 2, pid: 20 }, { instanceId: 3, pid: 30 }],
    trees: new Map([
      [10, { rootPid: 10, pids: [10], cpuPercent: 150.04, rssBytes: 4096 }],
      [20, { rootPid: 20, pids: [20], cpuPercent: 0, rssBytes: 8192 }],
    ]),
    attribution: {
      attribution: "ok",
      reason: null,
      byRoot: new Map([
        [10, { perGpu: { 1: 700 }, totalBytes: 700, unknown: false }],
        [20, { perGpu: {}, totalBytes: 0, unknown: true }],
      ]),
    },
  });
  assertEquals(stats, {
    timestamp: 5,
    cpu_percent: 12.3,
    cpu_count: 1.5,
    load_average: [1, 2, 3],
    ram: { total: 3, used: 1, percent: 33.3 },
    memory_source: "cgroup-v2",
    disk: { total: 100, used: 30, free: 60, percent: 33.3 },
    gpus: [],
    gpu_telemetry: { available: false, reason: "no GPU telemetry: x", driver_version: null },
    instances: {
      "1": { cpu_percent: 150, rss_bytes: 4096, vram_bytes: 700, vram_per_gpu: { "1": 700 } },
      "2": { cpu_percent: 0, rss_bytes: 8192, vram_bytes: null, vram_per_gpu: null },
    },
    attribution: { status: "ok", reason: null },
  });
});

Deno.test("buildSystemStats: each GPU's processes with their instance and name, only when the pids are ours", () => {
  const gpu = (processesAvailable: boolean) => ({
    index: 0,
    name: "GPU",
    uuid: "GPU-0",
    memoryTotalBytes: 100,
    memoryUsedBytes: 50,
    memoryFreeBytes: 50,
    utilizationGpuPercent: 10,
    utilizationMemoryPercent: null,
    temperatureC: null,
    powerWatts: null,
    computeCapability: null,
    processes: [{ pid: 11, usedMemoryBytes: 30 }, { pid: 99, usedMemoryBytes: null }],
    processesAvailable,
  });
  const input = (attribution: "ok" | "unavailable", available = true) => ({
    timestamp: 5,
    host,
    gpus: [gpu(available)],
    gpu: { available: true, reason: null, driverVersion: "550" },
    roots: [{ instanceId: 7, pid: 10 }],
    trees: new Map([[10, { rootPid: 10, pids: [10, 11], cpuPercent: 0, rssBytes: 1 }]]),
    attribution: { attribution, reason: null, byRoot: new Map() },
    processName: (pid: number) => pid === 11 ? "python" : "trainer",
  });
  assertEquals(buildSystemStats(input("ok")).gpus[0]?.processes, [
    { pid: 11, name: "python", vram_bytes: 30, instance_id: 7 },
    { pid: 99, name: "trainer", vram_bytes: null, instance_id: null },
  ]);
  assertEquals(
    buildSystemStats(input("unavailable")).gpus[0]?.processes,
    [
      { pid: 11, name: null, vram_bytes: 30, instance_id: null },
      { pid: 99, name: null, vram_bytes: null, instance_id: null },
    ],
    "another PID namespace: the pids are not ours to name",
  );
  assertEquals(buildSystemStats(input("ok", false)).gpus[0]?.processes, null, "driver < 510");
});
