import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { attributeGpuMemory } from "./attribute_gpu_memory.ts";
import type { GpuProcess, GpuSample } from "./gpu_provider.ts";
import type { ProcessTreeSample } from "./process_tree_sampler.ts";

function gpu(index: number, processes: GpuProcess[], processesAvailable = true): GpuSample {
  return {
    index,
    name: "GPU",
    uuid: `GPU-${index}`,
    memoryTotalBytes: 100,
    memoryUsedBytes: 50,
    memoryFreeBytes: 50,
    utilizationGpuPercent: 1,
    utilizationMemoryPercent: 1,
    temperatureC: 1,
    powerWatts: 1,
    computeCapability: "9.0",
    processes,
    processesAvailable,
  };
}

function trees(...list: Array<[number, number[]]>): Map<number, ProcessTreeSample> {
  return new Map(
    list.map(([root, pids]) => [root, { rootPid: root, pids, cpuPercent: 0, rssBytes: 0 }]),
  );
}

const live = new Set([10, 11, 12, 20, 21, 99]);

Deno.test("VRAM of descendants on several GPUs is summed per tree; other processes are ignored", () => {
  const result = attributeGpuMemory(
    trees([10, [10, 11, 12]], [20, [20, 21]]),
    [
      gpu(0, [{ pid: 11, usedMemoryBytes: 1000 }, { pid: 21, usedMemoryBytes: 7 }, {
        pid: 99,
        usedMemoryBytes: 5,
      }]),
      gpu(1, [{ pid: 12, usedMemoryBytes: 300 }, { pid: 11, usedMemoryBytes: 1 }]),
    ],
    { livePids: live, pidNamespace: "host" },
  );
  assertEquals(result.attribution, "ok");
  assertEquals(result.reason, null);
  assertEquals(result.byRoot.get(10), {
    perGpu: { 0: 1000, 1: 301 },
    totalBytes: 1301,
    unknown: false,
  });
  assertEquals(result.byRoot.get(20), { perGpu: { 0: 7 }, totalBytes: 7, unknown: false });
});

Deno.test("a process NVML cannot size marks its tree's VRAM as unknown", () => {
  const result = attributeGpuMemory(trees([10, [10, 11]]), [
    gpu(0, [{ pid: 11, usedMemoryBytes: null }]),
  ], {
    livePids: live,
  });
  assertEquals(result.byRoot.get(10), { perGpu: {}, totalBytes: 0, unknown: true });
});

Deno.test("a container PID namespace refuses attribution even when the pids happen to exist", () => {
  const result = attributeGpuMemory(trees([10, [10, 11]]), [
    gpu(0, [{ pid: 11, usedMemoryBytes: 9 }]),
  ], {
    livePids: live,
    pidNamespace: "nested",
  });
  assertEquals([result.attribution, result.byRoot.size], ["unavailable", 0]);
  assertMatch(result.reason ?? "", /PID namespace/);
});

Deno.test("NVML pids that this /proc does not show refuse attribution instead of giving wrong numbers", () => {
  const result = attributeGpuMemory(trees([10, [10, 11]]), [
    gpu(0, [{ pid: 4242, usedMemoryBytes: 9 }]),
  ], {
    livePids: live,
    pidNamespace: "host",
  });
  assertEquals([result.attribution, result.byRoot.size], ["unavailable", 0]);
  assertMatch(result.reason ?? "", /PID 4242/);
});

Deno.test("no GPUs, or a driver that cannot list processes, leaves attribution unavailable", () => {
  assertEquals(attributeGpuMemory(trees([10, [10]]), []).attribution, "unavailable");
  const old = attributeGpuMemory(trees([10, [10]]), [gpu(0, []), gpu(1, [], false)]);
  assertEquals(old.attribution, "unavailable");
  assertMatch(old.reason ?? "", /GPU 1/);
});
