/**
 * Log search on a big log: four concurrent `GET …/logs/search` on a 200 MB log
 * while the dashboard API is asked every 20 ms. Prints the server's RSS growth (target < 64 MB;
 * reading whole files took 128 → 858 MB on a 125 MB log) and the dashboard p99 (target < 100 ms;
 * it was 5.2 s).
 *
 *   deno run --allow-all tools/bench/log_search.ts
 *   LOG_BENCH_MB=500 deno run --allow-all tools/bench/log_search.ts
 */
import { startServerHarness } from "../../tests/helpers/server_harness.ts";

const MB = Number(Deno.env.get("LOG_BENCH_MB") ?? 200);
const SEARCHES = Number(Deno.env.get("LOG_BENCH_SEARCHES") ?? 4);
const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** MB megabytes of log lines; the needle appears once every 50,000 lines. */
async function writeLog(path: string): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const line = "\x1b[32m2026-12-06 10:00:00\x1b[0m INFO step done, loss=0.1234 lr=0.0001 ok\n";
  const block = new TextEncoder().encode(line.repeat(16_384));
  const needle = new TextEncoder().encode("ERROR Needle-In-The-Log found\n");
  let written = 0;
  let blocks = 0;
  while (written < MB * 1024 * 1024) {
    await file.write(block);
    written += block.length;
    if (++blocks % 3 === 0) written += await file.write(needle);
  }
  file.close();
}

const h = await startServerHarness();
try {
  const made = await (await h.fetch("/api/instances", {
    method: "POST",
    body: JSON.stringify({ name: "biglog", base_blueprint: "log_ready.sh" }),
  })).json();
  const logs = `${h.dataDir}/instances/biglog/logs`;
  await Deno.mkdir(logs, { recursive: true });
  await writeLog(`${logs}/output.log`);
  const size = (await Deno.stat(`${logs}/output.log`)).size;
  // The same probe with no search running: this machine's own noise, for comparison.
  const idle: number[] = [];
  for (const until = performance.now() + 3000; performance.now() < until;) {
    const t0 = performance.now();
    await (await h.fetch("/api/instances")).arrayBuffer();
    idle.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = Deno.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss)), 20);
  let searching = true;
  const latencies: number[] = [];
  const probe = (async () => {
    while (searching) {
      const t0 = performance.now();
      const response = await h.fetch("/api/instances");
      await response.arrayBuffer();
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: SEARCHES }, async () => {
      const response = await h.fetch(`/api/instances/${made.id}/logs/search?q=needle&limit=2000`);
      const body = await response.json();
      return { status: response.status, matches: body.matches?.length ?? 0 };
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  searching = false;
  await probe;
  clearInterval(sampler);
  print(
    `log_search log=${(size / 1048576).toFixed(0)}MB searches=${SEARCHES} statuses=${
      results.map((r) => r.status).join(",")
    } matches=${results[0]?.matches} elapsed=${elapsed.toFixed(1)}s rss_growth=${
      ((rssPeak - rssBefore) / 1048576).toFixed(1)
    }MB (target < 64 MB) dashboard_p50=${percentile(latencies, 0.5).toFixed(1)}ms p99=${
      percentile(latencies, 0.99).toFixed(1)
    }ms max=${Math.max(...latencies).toFixed(1)}ms n=${latencies.length} (target p99 < 100 ms); ` +
      `idle p99=${percentile(idle, 0.99).toFixed(1)}ms max=${Math.max(...idle).toFixed(1)}ms`,
  );
} finally {
  await h.close();
}
