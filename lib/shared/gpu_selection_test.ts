/** The three GPU choices (CPU only, every GPU, chosen GPUs) from input to the app's env. */
import { assertEquals } from "../../tests/helpers/assert.ts";
import type { InstanceRecord } from "../db/mod.ts";
import { buildLaunchPlan } from "../instances/launch_plan.ts";
import { InstancePaths } from "../instances/instance_paths.ts";
import { toInstanceDto } from "../instances/instance_dto.ts";
import { cudaVisibleDevicesOf, NO_GPU, parseGpuIds } from "./identifiers.ts";

Deno.test("parseGpuIds accepts none (CPU only), all and lists, with or without NVML", () => {
  for (const count of [null, 0, 2]) {
    assertEquals(parseGpuIds("none", count), { ok: true, value: NO_GPU });
    assertEquals(parseGpuIds(" none ", count), { ok: true, value: NO_GPU });
    assertEquals(parseGpuIds("all", count), { ok: true, value: "" });
  }
  assertEquals(parseGpuIds("1,0", 2), { ok: true, value: "1,0" });
  assertEquals(parseGpuIds("0,none", 2).ok, false);
  assertEquals(parseGpuIds("None", 2).ok, false);
});

Deno.test("CUDA_VISIBLE_DEVICES: unset for all GPUs, empty for CPU only, the list otherwise", () => {
  assertEquals(cudaVisibleDevicesOf(""), null);
  assertEquals(cudaVisibleDevicesOf(NO_GPU), "");
  assertEquals(cudaVisibleDevicesOf("0,1"), "0,1");
});

function record(gpuIds: string): InstanceRecord {
  return {
    id: 1,
    parentId: null,
    name: "cpu",
    slug: "cpu",
    blueprint: "app.sh",
    gpuIds,
    autostart: false,
    persistentMode: false,
    hostname: null,
    useCustomHostname: false,
    outputPath: "cpu",
    port: 19001,
    restartPolicy: "no",
    pythonVersion: null,
    cudaVersion: null,
    torchVersion: null,
    status: "stopped",
    statusMessage: null,
    pid: null,
    pidStartTicks: null,
    startedAt: null,
    appPort: null,
    vncDisplay: null,
    vncPort: null,
    exitCode: null,
    exitSignal: null,
    createdAt: "2026-12-06T00:00:00Z",
    updatedAt: "2026-12-06T00:00:00Z",
    invalidReason: null,
  };
}

Deno.test("the launch plan and the DTO carry each GPU choice", () => {
  const plan = (gpuIds: string) =>
    buildLaunchPlan({
      record: record(gpuIds),
      parent: null,
      blueprint: null,
      paths: new InstancePaths("/data"),
      appPort: 40000,
      marker: "m",
      baseEnv: { PATH: "/bin" },
      functionsScript: "/f.sh",
    }).env;
  assertEquals(plan(NO_GPU).CUDA_VISIBLE_DEVICES, "");
  assertEquals(plan("1").CUDA_VISIBLE_DEVICES, "1");
  assertEquals("CUDA_VISIBLE_DEVICES" in plan(""), false);
  const publication = { ok: true, reason: null, portRoute: false, pathRoute: true };
  assertEquals(toInstanceDto(record(NO_GPU), null, publication).gpu_ids, "none");
  assertEquals(toInstanceDto(record(""), null, publication).gpu_ids, null);
});
