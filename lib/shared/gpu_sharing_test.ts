import { assertEquals } from "../../tests/helpers/assert.ts";
import { describeSharedGpu, gpuSelectionsOverlap, sharedGpusFor } from "./gpu_sharing.ts";
import type { InstanceStatus } from "./instance_schema.ts";
import { gpuStats } from "../../tests/helpers/system_stats.ts";

const GIB = 2 ** 30;
const gpu = (id: number, usedGib: number) =>
  gpuStats(id, {
    name: "RTX 4090",
    vram: { total: 24 * GIB, used: usedGib * GIB, free: (24 - usedGib) * GIB, percent: 0 },
  });
const instance = (id: number, name: string, status: InstanceStatus, gpu_ids: string | null) => ({
  id,
  name,
  status,
  gpu_ids,
});

Deno.test("sharedGpusFor: another running instance on a chosen GPU, or a GPU short of memory", () => {
  const gpus = [gpu(0, 18), gpu(1, 2), gpu(2, 20)];
  const instances = [
    instance(1, "Comfy", "started", "0"),
    instance(2, "Trainer", "stalled", null), // all GPUs
    instance(3, "Old", "stopped", "1"),
    instance(4, "CPU job", "started", "none"),
    instance(5, "Forge", "stopped", "0,1"),
  ];
  const forge = sharedGpusFor({ id: 5, gpu_ids: "0,1" }, instances, gpus);
  assertEquals(forge.map((g) => [g.id, g.instances]), [[0, ["Comfy", "Trainer"]], [1, [
    "Trainer",
  ]]]);
  assertEquals(forge.map(describeSharedGpu), [
    'GPU 0 (RTX 4090): 18.0 GB of 24.0 GB in use, by "Comfy", "Trainer"',
    'GPU 1 (RTX 4090): 2.0 GB of 24.0 GB in use, by "Trainer"',
  ]);
  // Nobody else, but GPU 2 has under a quarter of its memory free (a run outside AiKore).
  const alone = [instance(6, "Solo", "stopped", "2")];
  assertEquals(sharedGpusFor({ id: 6, gpu_ids: "2" }, alone, gpus).map(describeSharedGpu), [
    "GPU 2 (RTX 4090): 20.0 GB of 24.0 GB in use (not by an instance of AiKore)",
  ]);
  assertEquals(sharedGpusFor({ id: 6, gpu_ids: "1" }, alone, gpus), [], "free and unshared");
  assertEquals(sharedGpusFor({ id: 4, gpu_ids: "none" }, instances, gpus), [], "CPU only");
  assertEquals(sharedGpusFor({ id: 5, gpu_ids: "GPU-2" }, alone, gpus).length, 1, "by UUID");
  assertEquals(sharedGpusFor({ id: 5, gpu_ids: "0" }, instances, []), [], "no telemetry");
});

Deno.test("gpuSelectionsOverlap without a GPU list", () => {
  assertEquals(gpuSelectionsOverlap("0", "0,1"), true);
  assertEquals(gpuSelectionsOverlap("0", "1"), false);
  assertEquals(gpuSelectionsOverlap("", "1"), true, "all GPUs");
  assertEquals(gpuSelectionsOverlap(null, "all"), true);
  assertEquals(gpuSelectionsOverlap("none", ""), false, "CPU only");
  assertEquals(gpuSelectionsOverlap("GPU-a", "GPU-a,2"), true, "by UUID");
});
