import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { fakeNvml } from "../../tests/helpers/fake_nvml.ts";
import { silentLogger } from "../log/mod.ts";
import type { SystemStats } from "../shared/stats.ts";
import { HostSampler, openGpuProvider, ProcessTreeSampler, StatsHub } from "./mod.ts";

const INTERVAL = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A real hub over a fake 2-GPU NVML whose GPU0 runs one of our own processes. */
async function setup() {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const fake = await fakeNvml({ pids: [{ pid: child.pid, bytes: 3 * 1024 ** 3 }] });
  const dataDir = await Deno.makeTempDir();
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  const processes = new ProcessTreeSampler();
  const hub = new StatsHub({
    gpu,
    host: new HostSampler({ dataDir }),
    processes,
    roots: () => [{ instanceId: 7, pid: child.pid }],
    logger: silentLogger,
    intervalMs: INTERVAL,
  });
  return {
    hub,
    fake,
    child,
    processes,
    async [Symbol.asyncDispose]() {
      await hub.close();
      gpu.close();
      child.kill();
      await child.status;
      await fake[Symbol.asyncDispose]();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

function nextStats(hub: StatsHub): Promise<SystemStats> {
  return new Promise((resolve) => {
    const stop = hub.subscribe((stats) => {
      stop();
      resolve(stats);
    });
  });
}

Deno.test("the hub samples only while it has subscribers", async () => {
  await using t = await setup();
  const afterOpen = t.fake.callCount();
  await sleep(3 * INTERVAL);
  assertEquals(
    [t.hub.sampleCount, t.fake.callCount()],
    [0, afterOpen],
    "nothing before a subscriber",
  );

  const received: SystemStats[] = [];
  const unsubscribe = t.hub.subscribe((stats) => received.push(stats));
  while (received.length < 3) await sleep(20);
  unsubscribe();
  unsubscribe();
  await sleep(INTERVAL); // a sample in flight at unsubscribe may still finish
  const samples = t.hub.sampleCount;
  const calls = t.fake.callCount();
  await sleep(4 * INTERVAL);
  assertEquals(
    [t.hub.sampleCount, t.fake.callCount()],
    [samples, calls],
    "nothing after the last unsubscribe",
  );
  assertEquals(t.hub.subscriberCount, 0);
  assertEquals(t.hub.getLatest(), received.at(-1));
  assertEquals(t.fake.initCount(), 1);
});

Deno.test("a published sample combines host, GPUs and the instance's tree", async () => {
  await using t = await setup();
  const stats = await nextStats(t.hub);
  assert(
    stats.ram.total > 0 && stats.ram.used > 0 && stats.ram.percent > 0,
    JSON.stringify(stats.ram),
  );
  assert(stats.cpu_count > 0 && stats.disk.total > 0);
  assertEquals(stats.gpu_telemetry, { available: true, reason: null, driver_version: "550.54.15" });
  assertEquals(stats.gpus.map((g) => [g.id, g.name, g.utilization_percent, g.compute_capability]), [
    [0, "NVIDIA H100 80GB HBM3", 93, "9.0"],
    [1, "NVIDIA GeForce RTX 4090", 11, "8.9"],
  ]);
  assertEquals(stats.gpus[0]?.vram.percent, 51.25);
  const instance = stats.instances["7"];
  assert(instance && instance.rss_bytes > 0, JSON.stringify(stats.instances));
  if (t.processes.pidNamespace === "host") {
    assertEquals(stats.attribution, { status: "ok", reason: null });
    assertEquals([instance.vram_bytes, instance.vram_per_gpu], [3 * 1024 ** 3, {
      "0": 3 * 1024 ** 3,
    }]);
  } else {
    // Inside a container PID namespace NVML's pids cannot be trusted.
    assertEquals(stats.attribution.status, "unavailable");
    assertEquals([instance.vram_bytes, instance.vram_per_gpu], [null, null]);
  }
});

Deno.test("close() closes the stat files the process sampler keeps open", async () => {
  await using t = await setup();
  const statFile = `/proc/${t.child.pid}/stat`;
  const openFiles = () =>
    [...Deno.readDirSync("/proc/self/fd")].map((fd) => {
      try {
        return Deno.readLinkSync(`/proc/self/fd/${fd.name}`);
      } catch {
        return ""; // the directory's own descriptor, closed by now
      }
    });
  await t.hub.current(0);
  assert(openFiles().includes(statFile), "the instance's stat file is kept open between samples");
  await t.hub.close();
  assertEquals(openFiles().includes(statFile), false);
});

Deno.test("subscribers share one sample and a failing subscriber does not stop the others", async () => {
  await using t = await setup();
  const first: SystemStats[] = [];
  const second: SystemStats[] = [];
  const stopBad = t.hub.subscribe(() => {
    throw new Error("subscriber bug");
  });
  const stopFirst = t.hub.subscribe((s) => first.push(s));
  const stopSecond = t.hub.subscribe((s) => second.push(s));
  while (second.length < 2) await sleep(20);
  stopBad();
  stopFirst();
  stopSecond();
  assert(first.length >= 2);
  assert(
    first[0] === second[0] && first[1] === second[1],
    "the same object reaches every subscriber",
  );
});

Deno.test("current() answers from the latest sample and samples at most once per interval", async () => {
  await using t = await setup();
  const before = t.fake.callCount();
  const [a, b] = await Promise.all([t.hub.current(), t.hub.current()]);
  assert(a && a === b, "concurrent callers share one sample");
  assert((await t.hub.current(60_000)) === a, "a fresh latest sample is reused");
  assertEquals(t.fake.callCount() - before, 2 * 5, "one GPU sample: five NVML calls per GPU");
  assertEquals(t.hub.sampleCount, 1);
});

Deno.test("without NVML the hub still publishes host and instance figures", async () => {
  const dataDir = await Deno.makeTempDir();
  const hub = new StatsHub({
    gpu: openGpuProvider({ library: "/nonexistent/libnvidia-ml.so.1", logger: silentLogger }),
    host: new HostSampler({ dataDir }),
    processes: new ProcessTreeSampler(),
    roots: () => [{ instanceId: 1, pid: Deno.pid }],
    logger: silentLogger,
    intervalMs: INTERVAL,
  });
  try {
    const stats = await nextStats(hub);
    assertEquals([stats.gpus, stats.gpu_telemetry.available], [[], false]);
    assertMatch(stats.gpu_telemetry.reason ?? "", /^no GPU telemetry: cannot load/);
    assert((stats.instances["1"]?.rss_bytes ?? 0) > 0);
    assertEquals(stats.attribution.status, "unavailable");
  } finally {
    await hub.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a hung NVML does not stall publishing: the previous GPU figures are shown", async () => {
  await using fake = await fakeNvml({ delay: "nvmlDeviceGetPowerUsage@1=350" });
  const dataDir = await Deno.makeTempDir();
  const gpu = openGpuProvider({ library: fake.library, logger: silentLogger });
  const hub = new StatsHub({
    gpu,
    host: new HostSampler({ dataDir }),
    processes: new ProcessTreeSampler(),
    roots: () => [],
    logger: silentLogger,
    intervalMs: 50,
    gpuTimeoutMs: 30,
  });
  try {
    const received: SystemStats[] = [];
    const stop = hub.subscribe((stats) => received.push(stats));
    const started = performance.now();
    while (!received.some((s) => s.gpus.length === 2)) await sleep(10);
    stop();
    // Each NVML sample takes 350 ms, yet samples kept coming at the 50 ms interval meanwhile.
    const elapsed = performance.now() - started;
    assert(received.length >= 4, `${received.length} samples in ${elapsed} ms`);
    assertEquals(received[0]?.gpus, [], "no previous GPU figures yet");
    assertEquals(received[0]?.gpu_telemetry.available, true);
  } finally {
    await hub.close();
    await gpu.sample(); // let the pending NVML call finish before unloading the library
    gpu.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
