import { assertEquals } from "../../tests/helpers/assert.ts";
import { gpuStats, systemStats } from "../../tests/helpers/system_stats.ts";
import { appWork, describeAppWork } from "./app_work.ts";

const app = { id: 1, gpuIds: "0" };
const gpu = (id: number, utilization: number) => gpuStats(id, { utilization_percent: utilization });
const withTree = (cpu: number, vram: Record<string, number> | null, gpus = [gpu(0, 90)]) =>
  systemStats({
    gpus,
    instances: { "1": { cpu_percent: cpu, rss_bytes: 1, vram_bytes: null, vram_per_gpu: vram } },
  });

Deno.test("appWork: its tree's CPU, or a GPU of its computing where it holds memory", () => {
  assertEquals(appWork(app, null), null, "no figures");
  assertEquals(appWork(app, withTree(25, {})), { cpuPercent: 25, gpus: [] }, "CPU");
  assertEquals(
    appWork(app, withTree(2, { "0": 5e9 })),
    { cpuPercent: null, gpus: [{ id: 0, utilizationPercent: 90 }] },
    "its GPU computes",
  );
  assertEquals(appWork(app, withTree(2, { "0": 0 })), null, "another's work there");
  assertEquals(appWork(app, withTree(2, null))?.gpus.length, 1, "not attributable: its GPU busy");
  assertEquals(appWork(app, withTree(2, { "0": 5e9 }, [gpu(0, 3)])), null, "GPU at rest");
  assertEquals(appWork(app, withTree(2, null, [gpu(1, 90)])), null, "not its GPU");
  assertEquals(appWork({ id: 1, gpuIds: "none" }, withTree(2, null)), null, "CPU only");
  assertEquals(appWork({ id: 2, gpuIds: "none" }, withTree(90, null)), null, "another instance");
});

Deno.test("describeAppWork: cores, a share of one, and each GPU that computes", () => {
  assertEquals(
    describeAppWork({ cpuPercent: 340, gpus: [{ id: 0, utilizationPercent: 97.4 }] }),
    "its processes keep 3.4 cores busy; GPU 0 computes at 97 %",
  );
  assertEquals(describeAppWork({ cpuPercent: 45.2, gpus: [] }), "its processes use 45 % of a core");
  assertEquals(describeAppWork({ cpuPercent: 101, gpus: [] }), "its processes keep a core busy");
  assertEquals(describeAppWork({ cpuPercent: 200, gpus: [] }), "its processes keep 2 cores busy");
  assertEquals(
    describeAppWork({
      cpuPercent: null,
      gpus: [{ id: 0, utilizationPercent: 88 }, { id: 1, utilizationPercent: 12 }],
    }),
    "GPU 0 computes at 88 %; GPU 1 computes at 12 %",
  );
});
