import { assertEquals } from "../../tests/helpers/assert.ts";
import { createLogger } from "../log/mod.ts";
import type { SystemStats } from "../shared/stats.ts";
import type { GpuStatic } from "./gpu_provider.ts";
import { systemStats } from "../../tests/helpers/system_stats.ts";
import { GpuWatch } from "./gpu_watch.ts";
import { selectsGpu } from "../shared/gpu_sharing.ts";

const device = (index: number): GpuStatic => ({
  index,
  name: `GPU model ${index}`,
  uuid: `GPU-${index}`,
  memoryTotalBytes: 1,
  computeCapability: "9.0",
});

/** A sample in which the GPUs `present` answered (their other figures do not matter here). */
const sample = (present: number[], available = true) =>
  systemStats({
    gpus: present.map((id) => ({ id })) as SystemStats["gpus"],
    gpu_telemetry: { available, reason: null, driver_version: "1" },
  });

Deno.test("gpu watch: a GPU missing from a sample is told once, and again only after it came back", () => {
  const lost: number[] = [];
  const logs: string[] = [];
  const watch = new GpuWatch({
    devices: [device(0), device(1)],
    onLost: (gpu) => lost.push(gpu.index),
    logger: createLogger("info", "test", (line) => logs.push(line)),
  });
  watch.observe(sample([0, 1]));
  assertEquals(lost, []);
  watch.observe(sample([0]));
  watch.observe(sample([0]));
  assertEquals(lost, [1], "told once while it stays lost");
  watch.observe(sample([0, 1]));
  watch.observe(sample([1]));
  assertEquals(lost, [1, 0]);
  watch.observe(sample([]));
  assertEquals(lost, [1, 0, 1], "lost again after it had come back");
  // No telemetry at all (NVML itself failed): nothing to compare with.
  watch.observe(sample([], false));
  assertEquals(lost, [1, 0, 1]);
  assertEquals(logs.filter((l) => l.includes("stopped answering")).length, 3);
  assertEquals(logs.filter((l) => l.includes("answers the driver again")).length, 1);
});

Deno.test("gpu watch: which instances a GPU selection takes", () => {
  const gpu = { index: 1, uuid: "GPU-aaaa" };
  assertEquals(selectsGpu("", gpu), true, "all GPUs");
  assertEquals(selectsGpu("none", gpu), false, "CPU only");
  assertEquals(selectsGpu("0,1", gpu), true);
  assertEquals(selectsGpu("0,11", gpu), false);
  assertEquals(selectsGpu("GPU-aaaa", gpu), true, "by UUID");
});
