/**
 * AiKore's memory while a console viewer acks output it never reads, during a flood
 * (`cat /dev/urandom | base64`), with the unread-output cap (default 4 MiB) and without it,
 * each in a fresh process. Prints RSS at the start, after 2 s (warmed up), its peak and at
 * the end: capped, it stays flat after the warm-up; uncapped, it grows with the flood.
 *
 *   deno run -A tools/bench/pty_lying_viewer.ts [seconds per run, default 10]
 */
import { MAX_UNREAD_BYTES } from "../../lib/pty/mod.ts";
import { openLyingViewer } from "../../lib/pty/testdata/lying_viewer.ts";
import { print, serveBridged } from "./pty_bench_support.ts";

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

async function run(mode: string, seconds: number): Promise<void> {
  const cap = mode === "capped" ? MAX_UNREAD_BYTES : Number.POSITIVE_INFINITY;
  const flood = serveBridged(["bash", "-c", "cat /dev/urandom | base64"], { slowViewer: "drop" }, {
    maxUnreadBytes: cap,
  });
  const base = Deno.memoryUsage().rss;
  let peak = base;
  let warm = base;
  const liar = await openLyingViewer(Number(new URL(flood.url).port));
  const started = performance.now();
  while (performance.now() < started + seconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const rss = Deno.memoryUsage().rss;
    peak = Math.max(peak, rss);
    if (performance.now() - started < 2000) warm = rss;
  }
  const last = Deno.memoryUsage().rss;
  liar.close();
  await flood.close();
  const label = mode === "capped" ? `capped at ${mib(cap)} MiB` : "uncapped (before the fix)";
  print(
    `${label}: RSS ${mib(base)} MiB at start, ${mib(warm)} MiB after 2 s, peak ${mib(peak)} MiB, ` +
      `${mib(last)} MiB after ${seconds} s of flood with a viewer that acks without reading`,
  );
}

const [first = "10", mode] = Deno.args;
if (mode) {
  await run(mode, Number(first));
} else {
  for (const each of ["capped", "uncapped"]) {
    await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", new URL(import.meta.url).pathname, first, each],
      stdout: "inherit",
      stderr: "inherit",
    }).output();
  }
}
