import { assertEquals } from "../../tests/helpers/assert.ts";
import { createLogger } from "../log/mod.ts";
import type { SystemStats } from "../shared/stats.ts";
import type { UsageSample } from "../shared/usage_history.ts";
import { gpuStats, systemStats } from "../../tests/helpers/system_stats.ts";
import { UsageRecorder, usageSample } from "./usage_recorder.ts";

function stats(at: number, cpu: number): SystemStats {
  return systemStats({
    timestamp: at,
    cpu_percent: cpu,
    ram: { total: 100, used: 25, percent: 25 },
    gpus: [gpuStats(3, {
      vram: { total: 100, used: 40, free: 60, percent: 40 },
      utilization_percent: 97,
      temperature_c: 71,
      power_w: 300.5,
    })],
    instances: {
      "12": { cpu_percent: 250, rss_bytes: 4096, vram_bytes: null, vram_per_gpu: null },
    },
  });
}

Deno.test("usage recorder: keeps the host's and each GPU's figures of a sample", () => {
  assertEquals(usageSample(stats(5, 12.5)), {
    at: 5,
    cpu_percent: 12.5,
    ram_percent: 25,
    gpus: [{ id: 3, utilization_percent: 97, vram_percent: 40, temperature_c: 71, power_w: 300.5 }],
    instances: [{ id: 12, cpu_percent: 250, rss_bytes: 4096, vram_bytes: null }],
  });
});

Deno.test("usage recorder: a store that fails (a full disk) is told once; recording goes on after", async () => {
  const stored: UsageSample[] = [];
  const pruned: number[] = [];
  let failing = false;
  const logs: string[] = [];
  let now = 1_000_000_000;
  const recorder = new UsageRecorder({
    sample: () => Promise.resolve(stats(now, 50)),
    store: {
      record(sample) {
        if (failing) throw new Error("database or disk is full");
        stored.push(sample);
      },
      prune(now) {
        pruned.push(now);
        return 0;
      },
    },
    logger: createLogger("info", "test", (line) => logs.push(line)),
  });
  await recorder.record();
  failing = true;
  for (let i = 0; i < 3; i++) {
    now += 10_000;
    await recorder.record();
  }
  failing = false;
  now += 10_000;
  await recorder.record();
  assertEquals(stored.map((s) => s.at), [1_000_000_000, 1_000_040_000]);
  assertEquals(logs.filter((line) => line.includes("not kept")).length, 1, logs.join("\n"));
  assertEquals(logs.filter((line) => line.includes("recording again")).length, 1);
  assertEquals(pruned, [1_000_000_000], "pruned at the first sample (then hourly)");

  // Stopped while a sample is being taken: it is not stored (the database may be closing).
  let release = () => {};
  const slow = new UsageRecorder({
    sample: () => new Promise((resolve) => (release = () => resolve(stats(now, 1)))),
    store: { record: (sample) => stored.push(sample), prune: () => 0 },
    logger: createLogger("info", "test", () => {}),
  });
  const taking = slow.record();
  slow.stop();
  release();
  await taking;
  assertEquals(stored.length, 2);
});

Deno.test("usage recorder: the sample taken at start is a baseline, never stored (its CPU would read 0 %)", async () => {
  let calls = 0;
  const stored: UsageSample[] = [];
  let firstStored = () => {};
  const recorded = new Promise<void>((resolve) => (firstStored = resolve));
  const recorder = new UsageRecorder({
    sample: () => Promise.resolve(stats(1000 + calls, calls++)),
    store: {
      record(sample) {
        stored.push(sample);
        firstStored();
      },
      prune: () => 0,
    },
    logger: createLogger("info", "test", () => {}),
    primeMs: 0,
    intervalMs: 60_000,
  });
  recorder.start();
  await recorded;
  recorder.stop();
  assertEquals(calls, 2, "a baseline, then the first sample recorded");
  assertEquals(stored.map((s) => s.cpu_percent), [1]);
});
