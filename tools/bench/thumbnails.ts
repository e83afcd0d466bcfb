/**
 * Thumbnails (lib/thumbnails): for PNGs of the sizes image apps write, with a fine grain so they
 * compress as generated pictures do, prints the time to make a thumbnail (in its worker thread,
 * the file read included), to answer it again from the cache, the sizes before and after, and
 * how late a 1 ms timer on the main thread ran meanwhile (what AiKore's own work would wait).
 *
 *   deno run --allow-all tools/bench/thumbnails.ts [rounds=3]
 */
import { silentLogger } from "../../lib/log/mod.ts";
import { Thumbnails } from "../../lib/thumbnails/mod.ts";
import { rgbPng } from "../../lib/thumbnails/test_support.ts";
import { print } from "./pty_bench_support.ts";

const rounds = Number(Deno.args[0] ?? 3);
const SIZES = [[1024, 1024], [1344, 768], [2048, 2048], [4096, 4096]] as const;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

/** A picture: smooth colour fields with a 4-bit grain. */
function picture(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  return rgbPng(width, height, (x, y) => {
    const grain =
      Math.imul(Math.imul(x + 1, 0x9e3779b1) ^ Math.imul(y + 1, 0x85ebca77), 0x2c1b3c6d) >>>
      28;
    return [((x * 200) / width + grain) | 0, ((y * 200) / height + grain) | 0, 120 + grain];
  });
}

/** Runs `work` while a 1 ms interval timer measures how late it fires; returns the worst. */
async function withLag<T>(work: () => Promise<T>): Promise<{ result: T; worstLagMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 1);
    last = now;
  }, 1);
  try {
    const result = await work();
    return { result, worstLagMs: worst };
  } finally {
    clearInterval(timer);
  }
}

const dir = await Deno.makeTempDir({ prefix: "aikore-bench-thumbs-" });
const thumbnails = new Thumbnails({ cacheDir: `${dir}/cache`, logger: silentLogger });
try {
  print(`thumbnails: ${rounds} rounds per size, medians (first round warms the worker up)`);
  print("size        PNG        JPEG      made (ms)  from cache (ms)  main-loop worst lag (ms)");
  for (const [width, height] of SIZES) {
    const path = `${dir}/${width}x${height}.png`;
    const png = await picture(width, height);
    await Deno.writeFile(path, png);
    const made: number[] = [];
    const cached: number[] = [];
    const lags: number[] = [];
    let jpegBytes = 0;
    for (let round = 0; round < rounds; round++) {
      await Deno.remove(`${dir}/cache`, { recursive: true }).catch(() => {});
      for (const phase of ["made", "cache"] as const) {
        const file = await Deno.open(path);
        const info = await file.stat();
        const started = performance.now();
        const { result, worstLagMs } = await withLag(() =>
          thumbnails.of({
            file,
            size: info.size,
            name: "bench.png",
            modifiedMs: info.mtime?.getTime() ?? null,
            key: `bench:${width}x${height}:${round}`,
          })
        );
        const ms = performance.now() - started;
        file.close();
        if (result?.from !== phase) throw new Error(`expected ${phase}, got ${result?.from}`);
        jpegBytes = result.jpeg.length;
        if (phase === "made") {
          made.push(ms);
          lags.push(worstLagMs);
        } else cached.push(ms);
      }
    }
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
    print(
      `${`${width}×${height}`.padEnd(11)} ${kib(png.length).padEnd(10)} ${
        kib(jpegBytes).padEnd(9)
      } ` +
        `${median(made).toFixed(0).padEnd(10)} ${median(cached).toFixed(2).padEnd(16)} ` +
        `${median(lags).toFixed(1)}`,
    );
  }
  print("re-run: deno run --allow-all tools/bench/thumbnails.ts [rounds=3]");
} finally {
  thumbnails.close();
  await Deno.remove(dir, { recursive: true });
}
