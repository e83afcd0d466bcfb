import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { fakeNvml } from "../../tests/helpers/fake_nvml.ts";
import { createLogger, silentLogger } from "../log/mod.ts";
import { openGpuProvider } from "./open_gpu_provider.ts";

const GIB = 1024 ** 3;
const H100_TOTAL = 80 * GIB;
const RESERVED = 512 * 1024 ** 2;
const H100_USED = 44023427129;

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger("debug", "test", (line) => lines.push(line)) };
}

Deno.test("decodes static info and every sampled field of two GPUs", async () => {
  await using fake = await fakeNvml();
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  try {
    assertEquals(gpu.available, true);
    assertEquals(gpu.reason, null);
    assertEquals(gpu.driverVersion, "550.54.15");
    assertEquals(gpu.devices, [
      {
        index: 0,
        name: "NVIDIA H100 80GB HBM3",
        uuid: "GPU-abcd0000-1111-2222-3333-000000000000",
        memoryTotalBytes: H100_TOTAL,
        computeCapability: "9.0",
      },
      {
        index: 1,
        name: "NVIDIA GeForce RTX 4090",
        uuid: "GPU-abcd0001-1111-2222-3333-000000000001",
        memoryTotalBytes: 24 * GIB,
        computeCapability: "8.9",
      },
    ]);
    const [gpu0, gpu1, ...rest] = await gpu.sample();
    assertEquals(rest, []);
    assertEquals(gpu0, {
      index: 0,
      name: "NVIDIA H100 80GB HBM3",
      uuid: "GPU-abcd0000-1111-2222-3333-000000000000",
      memoryTotalBytes: H100_TOTAL,
      memoryUsedBytes: H100_USED,
      memoryFreeBytes: H100_TOTAL - RESERVED - H100_USED,
      utilizationGpuPercent: 93,
      utilizationMemoryPercent: 61,
      temperatureC: 67,
      powerWatts: 612.345,
      computeCapability: "9.0",
      processes: [
        { pid: 4242, usedMemoryBytes: GIB },
        { pid: 4243, usedMemoryBytes: 2 * GIB },
        { pid: 4244, usedMemoryBytes: null },
      ],
      processesAvailable: true,
    });
    assertEquals(gpu1?.memoryUsedBytes, GIB);
    assertEquals([gpu1?.utilizationGpuPercent, gpu1?.temperatureC, gpu1?.powerWatts], [
      11,
      41,
      101,
    ]);
    assertEquals([gpu1?.processes, gpu1?.processesAvailable], [[], true]);
  } finally {
    gpu.close();
  }
});

Deno.test("an old driver without _v2/_v3 symbols falls back to v1 memory and reports no processes", async () => {
  await using fake = await fakeNvml({ oldDriver: true });
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  try {
    assertEquals(gpu.available, true);
    const [gpu0] = await gpu.sample();
    // v1 counts the driver reservation as used.
    assertEquals(gpu0?.memoryUsedBytes, H100_USED + RESERVED);
    assertEquals(gpu0?.memoryFreeBytes, H100_TOTAL - RESERVED - H100_USED);
    assertEquals([gpu0?.processes, gpu0?.processesAvailable], [[], false]);
    assertEquals(gpu0?.temperatureC, 67);
  } finally {
    gpu.close();
  }
});

Deno.test("an absent library gives an unavailable provider that samples nothing", async () => {
  const { lines, logger } = capturingLogger();
  const gpu = openGpuProvider({ library: "/nonexistent/libnvidia-ml.so.1", logger });
  assertEquals(gpu.available, false);
  assert(
    gpu.reason?.startsWith("no GPU telemetry: cannot load /nonexistent/libnvidia-ml.so.1: "),
    `${gpu.reason}`,
  );
  assert(gpu.reason?.includes("No such file or directory"), `${gpu.reason}`);
  assertEquals([gpu.devices, gpu.driverVersion], [[], null]);
  assertEquals(await gpu.sample(), []);
  assert(lines.some((l) => l.includes("no GPU telemetry")), "the reason is logged");
  gpu.close();
});

Deno.test("an nvmlInit error and a machine without GPUs are unavailable with NVML's reason", async () => {
  await using broken = await fakeNvml({ initError: 9 });
  const noDriver = openGpuProvider({ library: broken.library, logger: silentLogger });
  assertEquals(noDriver.reason, "no GPU telemetry: nvmlInit failed: Driver Not Loaded (9)");
  await using empty = await fakeNvml({ gpuCount: 0 });
  const noGpu = openGpuProvider({ library: empty.library, logger: silentLogger });
  assertEquals([noGpu.available, noGpu.reason], [false, "no GPU telemetry: NVML reports no GPU"]);
  assertEquals(await noGpu.sample(), []);
});

Deno.test("NVML is initialised once across many samples and nothing is called after close", async () => {
  const countDir = await Deno.makeTempDir();
  await using fake = await fakeNvml({ countFile: `${countDir}/counts` });
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  for (let i = 0; i < 20; i++) await gpu.sample();
  assertEquals(fake.initCount(), 1);
  const before = fake.callCount();
  await gpu.sample();
  const perSample = fake.callCount() - before;
  assertEquals(perSample, 2 * 5, "memory, utilization, temperature, power, processes per GPU");
  await Promise.all([gpu.sample(), gpu.sample(), gpu.sample()]);
  assertEquals(fake.callCount() - before, 2 * perSample, "overlapping calls share one sample");
  gpu.close();
  const closed = fake.callCount();
  assertEquals(await gpu.sample(), []);
  assertEquals(fake.callCount(), closed);
  assertEquals(fake.initCount(), 1);
  // Child-process tests read the same counts from the count file.
  const counts = await Deno.readTextFile(`${countDir}/counts`);
  assertMatch(counts, new RegExp(`^total ${closed}\n`));
  assertMatch(counts, /^nvmlInit_v2 1$/m);
  assertMatch(counts, /^nvmlShutdown 1$/m);
  await Deno.remove(countDir, { recursive: true });
});

Deno.test("close() during a sample lets the sample finish before NVML shuts down", async () => {
  await using fake = await fakeNvml({ delay: "nvmlDeviceGetPowerUsage@0=150" });
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  const sampling = gpu.sample();
  gpu.close();
  const samples = await sampling;
  assertEquals(samples.map((s) => s.powerWatts), [612.345, 101]);
  assertEquals(await gpu.sample(), []);
});

Deno.test("a process list larger than the buffer is read after growing it", async () => {
  const pids = Array.from({ length: 60 }, (_, i) => ({ pid: 1000 + i, bytes: (i + 1) * 1024 }));
  await using fake = await fakeNvml({ pids });
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  try {
    const [gpu0] = await gpu.sample();
    assertEquals(gpu0?.processes, pids.map((p) => ({ pid: p.pid, usedMemoryBytes: p.bytes })));
  } finally {
    gpu.close();
  }
});

Deno.test("a failing field becomes null and is logged once; a GPU whose memory fails is left out", async () => {
  await using fake = await fakeNvml({
    gpuCount: 3,
    fail:
      "nvmlDeviceGetPowerUsage@1=3,nvmlDeviceGetTemperature@*=3,nvmlDeviceGetMemoryInfo_v2@2=15",
  });
  const { lines, logger } = capturingLogger();
  const gpu = openGpuProvider({ library: fake.library, logger });
  try {
    for (let i = 0; i < 3; i++) {
      const samples = await gpu.sample();
      assertEquals(samples.map((s) => s.index), [0, 1]);
      assertEquals(samples.map((s) => s.powerWatts), [612.345, null]);
      assertEquals(samples.map((s) => s.temperatureC), [null, null]);
    }
    const warnings = lines.filter((l) => l.includes("WARN"));
    const count = (text: string) => warnings.filter((l) => l.includes(text)).length;
    assertEquals(count("nvmlDeviceGetPowerUsage"), 1);
    assertEquals(count("nvmlDeviceGetTemperature"), 3, "once per GPU");
    assert(warnings.some((l) => l.includes("Not Supported (3)")), warnings.join("\n"));
    assert(warnings.some((l) => l.includes("GPU is lost (15)")), warnings.join("\n"));
  } finally {
    gpu.close();
  }
});

Deno.test("a slow NVML call does not block the event loop", async () => {
  await using fake = await fakeNvml({ delay: "nvmlDeviceGetTemperature@0=400" });
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  try {
    const started = performance.now();
    let sampled = false;
    const sampling = gpu.sample().then((samples) => {
      sampled = true;
      return samples;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Ordering, not a timing budget: a blocked event loop could not run this timer before the
    // 400 ms call returned; a free one runs it long before (whatever the machine's load).
    assert(!sampled, "a 20 ms timer ran while NVML was busy");
    const [gpu0] = await sampling;
    const sampleTime = performance.now() - started;
    assert(sampleTime >= 400, `the sample waited for the slow call (${sampleTime} ms)`);
    assertEquals(gpu0?.temperatureC, 67);
  } finally {
    gpu.close();
  }
});
