/** Shared pieces of the gateway benchmarks: printing, a loopback load generator, percentiles. */

const encoder = new TextEncoder();

/** Prints one line to stdout (benchmarks report figures; the logger is for the server). */
export function print(line = ""): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** The `p`-th percentile (0-100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Throughput and latency of one load run. */
export interface LoadResult {
  requestsPerSec: number;
  meanMs: number;
  p99Ms: number;
  errors: number;
  tool: "wrk" | "deno";
}

/** Options of one load run against `url`. */
export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
}

async function wrkPath(): Promise<string | null> {
  for (const path of ["/usr/bin/wrk", "/usr/local/bin/wrk"]) {
    if (await Deno.stat(path).then(() => true, () => false)) return path;
  }
  return null;
}

function wrkMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === "us"
    ? value / 1000
    : match[2] === "ms"
    ? value
    : match[2] === "s"
    ? value * 1000
    : value * 60_000;
}

async function runWrk(wrk: string, options: LoadOptions): Promise<LoadResult> {
  const args = ["-t1", `-c${options.connections}`, `-d${options.seconds}s`, "--latency"];
  for (const [name, value] of Object.entries(options.headers)) args.push("-H", `${name}: ${value}`);
  const output = await new Deno.Command(wrk, {
    args: [...args, options.url],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(output.stdout);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const mean = /Latency\s+([\d.]+\w+)/.exec(text);
  const p99 = /\s99%\s+([\d.]+\w+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    text,
  );
  if (!rps || !mean || !p99) throw new Error(`could not read wrk's output:\n${text}`);
  const errors = Number(non2xx?.[1] ?? 0) +
    (socketErrors ? socketErrors.slice(1).reduce((n, v) => n + Number(v), 0) : 0);
  return {
    requestsPerSec: Number(rps[1]),
    meanMs: wrkMs(mean[1] ?? ""),
    p99Ms: wrkMs(p99[1] ?? ""),
    errors,
    tool: "wrk",
  };
}

async function runDeno(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await fetch(options.url, { headers: options.headers }).catch(() => null);
      if (response) await response.arrayBuffer();
      if (!response || response.status !== 200) errors += 1;
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  return {
    requestsPerSec: latencies.length / seconds,
    meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    p99Ms: percentile(latencies, 99),
    errors,
    tool: "deno",
  };
}

/** Runs a bounded loopback load: `wrk` (1 thread) when installed, else N concurrent fetch loops. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const wrk = await wrkPath();
  return wrk ? await runWrk(wrk, options) : await runDeno(options);
}

/** `count` distinct loopback ports that were free a moment ago. */
export function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  listeners.forEach((l) => l.close());
  return ports;
}

/** One result as a table row. */
export function row(label: string, result: LoadResult): string {
  return `${label.padEnd(34)} ${result.requestsPerSec.toFixed(0).padStart(8)} req/s   mean ${
    result.meanMs.toFixed(2).padStart(6)
  } ms   p99 ${result.p99Ms.toFixed(2).padStart(6)} ms   errors ${result.errors}`;
}

/** CPU time (user + system) in ms used so far by process `pid`, or by every process in group `pgrp`. */
export async function cpuMs(target: { pid: number } | { pgrp: number }): Promise<number> {
  let ticks = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const matches = "pid" in target
      ? Number(entry.name) === target.pid
      : Number(fields[2]) === target.pgrp;
    if (matches) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}
