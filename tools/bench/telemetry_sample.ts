/**
 * Telemetry cost: one full sample (host + 8 fake GPUs + 50 real process trees), its parts, and the
 * process CPU a StatsHub with 3 subscribers uses over a period.
 *
 *   deno run --allow-all tools/bench/telemetry_sample.ts
 *   TELEMETRY_BENCH_SECONDS=10 TELEMETRY_BENCH_SAMPLES=200 deno run --allow-all tools/bench/telemetry_sample.ts
 *
 * Needs gcc (for the fake NVML library). Targets: full sample median and p99 under 2 ms.
 */
import { fakeNvml } from "../../tests/helpers/fake_nvml.ts";
import { HostSampler, openGpuProvider, ProcessTreeSampler, StatsHub } from "../../lib/gpu/mod.ts";
import { createLogger } from "../../lib/log/mod.ts";

const TREES = 50;
const GPUS = 8;
const SAMPLES = Number(Deno.env.get("TELEMETRY_BENCH_SAMPLES") ?? 500);
const HUB_SECONDS = Number(Deno.env.get("TELEMETRY_BENCH_SECONDS") ?? 60);
const logger = createLogger("warn", "bench");
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

const libc = Deno.dlopen(
  "libc.so.6",
  { getrusage: { parameters: ["i32", "buffer"], result: "i32" } } as const,
);
const rusage = new BigInt64Array(18);

/** CPU seconds of the whole process, exited threads included (getrusage, microsecond resolution). */
function cpuSeconds(): number {
  libc.symbols.getrusage(0, rusage);
  const [userS = 0n, userUs = 0n, sysS = 0n, sysUs = 0n] = rusage;
  return Number(userS + sysS) + Number(userUs + sysUs) / 1e6;
}

async function timeIt(name: string, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20; i++) await run();
  const times: number[] = [];
  const cpu0 = cpuSeconds();
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  const cpuMs = ((cpuSeconds() - cpu0) * 1000) / SAMPLES;
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(3);
  print(
    `${name.padEnd(34)} median ${at(0.5)} ms   p99 ${at(0.99)} ms   process CPU ${
      cpuMs.toFixed(3)
    } ms/sample`,
  );
}

const FLOOR_C = `#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]); double *t = malloc(sizeof(double) * n); char buf[4096];
  for (int i = 0; i < n; i++) {
    struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a);
    DIR *d = opendir("/proc"); while (readdir(d)) {} closedir(d);
    for (int j = 2; j < argc; j++) { int fd = open(argv[j], O_RDONLY); if (fd >= 0) { read(fd, buf, sizeof buf); close(fd); } }
    clock_gettime(CLOCK_MONOTONIC, &b); t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
  }
  qsort(t, n, sizeof(double), cmp); printf("%f\\n", t[n / 2]); return 0;
}`;

/** Median milliseconds for C to list /proc and read `paths` once. */
async function cFloorMs(paths: string[]): Promise<number> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/floor.c`, FLOOR_C);
    const cc = await new Deno.Command("gcc", {
      args: ["-O2", "-o", `${dir}/floor`, `${dir}/floor.c`],
    }).output();
    if (!cc.success) throw new Error(`gcc failed: ${new TextDecoder().decode(cc.stderr)}`);
    const run = await new Deno.Command(`${dir}/floor`, { args: [String(SAMPLES), ...paths] })
      .output();
    return Number(new TextDecoder().decode(run.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** 50 `bash → sleep` trees; returns bash pids and sleep pids. */
async function startTrees() {
  const trees = await Promise.all(Array.from({ length: TREES }, async () => {
    const child = new Deno.Command("bash", {
      args: ["-c", "sleep 600 & echo $!; wait"],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    await reader.cancel();
    return { child, sleepPid: Number(text.trim()) };
  }));
  return {
    roots: trees.map((t, i) => ({ instanceId: i + 1, pid: t.child.pid })),
    sleepPids: trees.map((t) => t.sleepPid),
    async stop() {
      for (const t of trees) Deno.kill(t.sleepPid, "SIGKILL");
      await Promise.all(trees.map((t) => t.child.status));
    },
  };
}

const trees = await startTrees();
// Every tree's sleep uses 1 GiB on GPU0, so attribution has work to do.
await using fake = await fakeNvml({
  gpuCount: GPUS,
  pids: trees.sleepPids.map((pid) => ({ pid, bytes: 1024 ** 3 })),
});
const dataDir = await Deno.makeTempDir();
const gpu = openGpuProvider({ library: fake.library, logger });
const host = new HostSampler({ dataDir });
const processes = new ProcessTreeSampler();
const hub = new StatsHub({ gpu, host, processes, roots: () => trees.roots, logger });
try {
  const pids = trees.roots.map((r) => r.pid);
  const processCount = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
  print(
    `telemetry_sample: ${GPUS} fake GPUs, ${TREES} bash→sleep trees, ${processCount} processes in /proc, ` +
      `${SAMPLES} samples each (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs)`,
  );
  const check = await hub.current(0);
  print(
    `  attribution: ${check?.attribution.status}${
      check?.attribution.reason ? ` (${check.attribution.reason})` : ""
    }, ` +
      `instances: ${Object.keys(check?.instances ?? {}).length}, gpus: ${check?.gpus.length}`,
  );
  await timeIt("full sample (StatsHub.current)", () => hub.current(0));
  await timeIt("  host only", () => host.sample());
  await timeIt("  process trees only", () => processes.sample(pids));
  await timeIt("  GPUs only (nonblocking NVML)", () => gpu.sample());
  // The tree part's floor: list /proc and read each tree member's stat, in C.
  const statPaths = [...pids, ...trees.sleepPids].map((pid) => `/proc/${pid}/stat`);
  const floor = await cFloorMs(statPaths);
  print(
    `  floor (C: readdir /proc + ${statPaths.length} stat reads) median ${floor.toFixed(3)} ms`,
  );

  print(`StatsHub, 3 subscribers, 1 Hz, ${HUB_SECONDS} s ...`);
  let published = 0;
  const stops = [1, 2, 3].map(() => hub.subscribe(() => published++));
  const cpu0 = cpuSeconds();
  const wall0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, HUB_SECONDS * 1000));
  const cpu = cpuSeconds() - cpu0;
  const wall = (performance.now() - wall0) / 1000;
  for (const stop of stops) stop();
  const perCore = ((cpu / wall) * 100).toFixed(3);
  const perSample = ((cpu * 1000) / Math.max(1, published / 3)).toFixed(2);
  print(`  process CPU ${cpu.toFixed(3)} s over ${wall.toFixed(1)} s = ${perCore}% of one core`);
  print(`  ${published / 3} samples published to each subscriber: ${perSample} ms CPU per sample`);
  const idle0 = cpuSeconds();
  const idleSeconds = Math.min(10, HUB_SECONDS);
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const idle = cpuSeconds() - idle0;
  print(
    `  same process, no subscriber: ${idle.toFixed(3)} s CPU over ${idleSeconds} s`,
  );
} finally {
  await hub.close();
  gpu.close();
  await trees.stop();
  await Deno.remove(dataDir, { recursive: true });
}
print(
  "re-run: deno run --allow-all tools/bench/telemetry_sample.ts" +
    "   (quick: TELEMETRY_BENCH_SECONDS=10 TELEMETRY_BENCH_SAMPLES=200)",
);
