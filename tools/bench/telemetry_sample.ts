/**
 * Telemetry cost: one full sample (host + 8 fake GPUs + 50 real process trees), its parts, and the
 * process CPU a StatsHub with 3 subscribers uses over a period.
 *
 *   deno run --allow-all tools/bench/telemetry_sample.ts
 *   TELEMETRY_BENCH_BASELINE=<git rev> deno run --allow-all tools/bench/telemetry_sample.ts
 *   TELEMETRY_BENCH_SECONDS=10 TELEMETRY_BENCH_SAMPLES=200 TELEMETRY_BENCH_ROUNDS=3 …
 *
 * With a baseline, lib/ of that revision is loaded too and the full sample is timed for both,
 * interleaved round by round, so a busy machine affects both alike. Needs gcc (fake NVML) and git
 * for a baseline. Targets: full sample median and p99 under 2 ms.
 */
import { fakeNvml } from "../../tests/helpers/fake_nvml.ts";
import * as current from "../../lib/telemetry/mod.ts";
import { createLogger } from "../../lib/log/mod.ts";

const TREES = 50;
const GPUS = 8;
const SAMPLES = Number(Deno.env.get("TELEMETRY_BENCH_SAMPLES") ?? 500);
const ROUNDS = Number(Deno.env.get("TELEMETRY_BENCH_ROUNDS") ?? 3);
const HUB_SECONDS = Number(Deno.env.get("TELEMETRY_BENCH_SECONDS") ?? 60);
const BASELINE = Deno.env.get("TELEMETRY_BENCH_BASELINE");
const logger = createLogger("warn", "bench");
type GpuModule = typeof current;
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
const loadAverage = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

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

/** Runs `run` 20 times to warm up, then `samples` times; prints and returns the median. */
async function timeIt(
  name: string,
  samples: number,
  run: () => Promise<unknown>,
  each?: (ms: number) => void,
): Promise<{ median: number }> {
  for (let i = 0; i < 20; i++) await run();
  const times: number[] = [];
  const cpu0 = cpuSeconds();
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    times.push(ms);
    each?.(ms);
  }
  const cpuMs = ((cpuSeconds() - cpu0) * 1000) / samples;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  print(
    `${name.padEnd(40)} median ${at(0.5).toFixed(3)} ms   p99 ${at(0.99).toFixed(3)} ms   ` +
      `process CPU ${cpuMs.toFixed(3)} ms/sample`,
  );
  return { median: at(0.5) };
}

const FLOOR_C = `#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static double ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
int main(int argc, char **argv) {
  int n = atoi(argv[1]); double *t = malloc(sizeof(double) * n); char buf[4096]; int fds[4096];
  for (int i = 0; i < n; i++) {
    double a = ms();
    DIR *d = opendir("/proc"); while (readdir(d)) {} closedir(d);
    for (int j = 2; j < argc; j++) { int fd = open(argv[j], O_RDONLY); if (fd >= 0) { read(fd, buf, sizeof buf); close(fd); } }
    t[i] = ms() - a;
  }
  qsort(t, n, sizeof(double), cmp); printf("%f ", t[n / 2]);
  for (int j = 2; j < argc && j < 4096; j++) fds[j] = open(argv[j], O_RDONLY);
  for (int i = 0; i < n; i++) {
    double a = ms();
    for (int j = 2; j < argc && j < 4096; j++) if (fds[j] >= 0) pread(fds[j], buf, sizeof buf, 0);
    t[i] = ms() - a;
  }
  qsort(t, n, sizeof(double), cmp); printf("%f\\n", t[n / 2]); return 0;
}`;

/** Median milliseconds for C to list /proc and open/read/close `paths`, and to pread them open. */
async function cFloorMs(
  samples: number,
  paths: string[],
): Promise<{ open: number; pread: number }> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/floor.c`, FLOOR_C);
    const cc = await new Deno.Command("gcc", {
      args: ["-O2", "-o", `${dir}/floor`, `${dir}/floor.c`],
    }).output();
    if (!cc.success) throw new Error(`gcc failed: ${new TextDecoder().decode(cc.stderr)}`);
    const run = await new Deno.Command(`${dir}/floor`, { args: [String(samples), ...paths] })
      .output();
    const [open = NaN, pread = NaN] = new TextDecoder().decode(run.stdout).split(" ").map(Number);
    return { open, pread };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `count` bash → sleep trees; returns bash pids and sleep pids. */
async function startTrees(count: number) {
  const trees = await Promise.all(Array.from({ length: count }, async () => {
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
    processCount: () => [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length,
    async stop() {
      for (const t of trees) Deno.kill(t.sleepPid, "SIGKILL");
      await Promise.all(trees.map((t) => t.child.status));
    },
  };
}

/** lib/ of a git revision, extracted to a temporary directory. */
async function loadBaseline(rev: string): Promise<{ module: GpuModule; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-bench-baseline-" });
  const root = new URL("../../", import.meta.url).pathname;
  const git = `git -C '${root}' archive '${rev}' lib | tar -x -C '${dir}'`;
  const run = await new Deno.Command("bash", { args: ["-c", git], stderr: "piped" }).output();
  if (!run.success) {
    throw new Error(`git archive ${rev} failed: ${new TextDecoder().decode(run.stderr)}`);
  }
  return { module: await import(`file://${dir}/lib/telemetry/mod.ts`), dir };
}

const trees = await startTrees(TREES);
// Every tree's sleep uses 1 GiB on GPU0, so attribution has work to do.
await using fake = await fakeNvml({
  gpuCount: GPUS,
  pids: trees.sleepPids.map((pid) => ({ pid, bytes: 1024 ** 3 })),
});
const dataDir = await Deno.makeTempDir();
const baseline = BASELINE ? await loadBaseline(BASELINE) : null;

/** One hub and its samplers built from a version of lib/telemetry. */
function stack(m: GpuModule) {
  const gpu = m.openGpuProvider({ library: fake.library, logger });
  const host = new m.HostSampler({ dataDir });
  const processes = new m.ProcessTreeSampler();
  const hub = new m.StatsHub({ gpu, host, processes, roots: () => trees.roots, logger });
  return { gpu, host, processes, hub };
}
const stacks = [
  ...(baseline ? [{ name: `baseline ${BASELINE}`, ...stack(baseline.module) }] : []),
  { name: "current", ...stack(current) },
];
const now = stacks.at(-1) ?? stacks[0];
try {
  if (!now) throw new Error("no stack");
  const pids = trees.roots.map((r) => r.pid);
  print(
    `telemetry_sample: ${GPUS} fake GPUs, ${TREES} bash→sleep trees, ${trees.processCount()} processes in /proc, ` +
      `${SAMPLES} samples × ${ROUNDS} rounds (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs)`,
  );
  const check = await now.hub.current(0);
  print(
    `  attribution: ${check?.attribution.status}${
      check?.attribution.reason ? ` (${check.attribution.reason})` : ""
    }, instances: ${Object.keys(check?.instances ?? {}).length}, gpus: ${check?.gpus.length}`,
  );
  const medians = new Map<string, number[]>(stacks.map((s) => [s.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    print(`round ${round}/${ROUNDS}, load average ${loadAverage()}`);
    for (const s of stacks) {
      const result = await timeIt(`  full sample, ${s.name}`, SAMPLES, () => s.hub.current(0));
      medians.get(s.name)?.push(result.median);
    }
  }
  for (const [name, values] of medians) {
    print(`full sample, ${name}: median of round medians ${median(values).toFixed(3)} ms`);
  }

  print(`parts (current), load average ${loadAverage()}`);
  await timeIt("  host only", SAMPLES, () => now.host.sample());
  await timeIt("  GPUs only (nonblocking NVML)", SAMPLES, () => now.gpu.sample());
  let listings = now.processes.listingCount;
  const listed: number[] = [];
  const skipped: number[] = [];
  await timeIt("  process trees only", SAMPLES, () => now.processes.sample(pids), (ms) => {
    const before = listings;
    listings = now.processes.listingCount;
    (listings > before ? listed : skipped).push(ms);
  });
  print(
    `    /proc listed in ${listed.length} samples (median ${median(listed).toFixed(3)} ms), ` +
      `fork counter unchanged in ${skipped.length} (median ${median(skipped).toFixed(3)} ms)`,
  );
  const statPaths = [...pids, ...trees.sleepPids].map((pid) => `/proc/${pid}/stat`);
  const floor = await cFloorMs(SAMPLES, statPaths);
  print(
    `  floor (C: readdir /proc + ${statPaths.length} × open/read/close stat) median ${
      floor.open.toFixed(3)
    } ms; ${statPaths.length} × pread on open files ${floor.pread.toFixed(3)} ms`,
  );

  print(`StatsHub (current), 3 subscribers, 1 Hz, ${HUB_SECONDS} s ...`);
  let published = 0;
  const stops = [1, 2, 3].map(() => now.hub.subscribe(() => published++));
  const cpu0 = cpuSeconds();
  const wall0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, HUB_SECONDS * 1000));
  const cpu = cpuSeconds() - cpu0;
  const wall = (performance.now() - wall0) / 1000;
  for (const stop of stops) stop();
  const perSample = ((cpu * 1000) / Math.max(1, published / 3)).toFixed(2);
  print(
    `  process CPU ${cpu.toFixed(3)} s over ${wall.toFixed(1)} s = ${
      ((cpu / wall) * 100).toFixed(3)
    }% of one core`,
  );
  print(`  ${published / 3} samples published to each subscriber: ${perSample} ms CPU per sample`);
  const idle0 = cpuSeconds();
  const idleSeconds = Math.min(10, HUB_SECONDS);
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  print(
    `  same process, no subscriber: ${
      (cpuSeconds() - idle0).toFixed(3)
    } s CPU over ${idleSeconds} s`,
  );
} finally {
  for (const s of stacks) {
    await s.hub.close();
    s.gpu.close();
  }
  await trees.stop();
  await Deno.remove(dataDir, { recursive: true });
  if (baseline) await Deno.remove(baseline.dir, { recursive: true });
}
print(
  "re-run: deno run --allow-all tools/bench/telemetry_sample.ts" +
    "   (quick: TELEMETRY_BENCH_SECONDS=10 TELEMETRY_BENCH_SAMPLES=200;" +
    " against an older revision: TELEMETRY_BENCH_BASELINE=<rev>)",
);
