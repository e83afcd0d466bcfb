/**
 * The usage history's cost at its largest: 7 days of samples every 10 s, recorded and pruned as
 * the recorder does (hourly), for a host with 8 GPUs and 10 running instances, in a real SQLite
 * file. Prints the file's size, the time to record one sample (its 5-minute average included),
 * to read each range the view offers (host and GPUs, and one instance), and to prune an hour.
 *
 *   deno run --allow-all tools/bench/usage_history.ts [gpus=8] [instances=10]
 */
import { openDatabase, UsageHistoryRepository } from "../../lib/db/mod.ts";
import {
  HISTORY_HOURS,
  HISTORY_KEPT_MS,
  HISTORY_SAMPLE_MS,
  historyResolution,
  type UsageSample,
} from "../../lib/shared/usage_history.ts";
import { print } from "./pty_bench_support.ts";

const gpus = Number(Deno.args[0] ?? 8);
const instances = Number(Deno.args[1] ?? 10);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

function sample(at: number, i: number): UsageSample {
  const wave = (n: number) => 50 + 45 * Math.sin(i / 97 + n);
  return {
    at,
    cpu_percent: wave(0),
    ram_percent: wave(1),
    gpus: Array.from({ length: gpus }, (_, id) => ({
      id,
      utilization_percent: wave(id),
      vram_percent: wave(id + 2),
      temperature_c: 40 + wave(id) / 2,
      power_w: 100 + wave(id) * 5,
    })),
    instances: Array.from({ length: instances }, (_, id) => ({
      id: id + 1,
      cpu_percent: wave(id) * 3,
      rss_bytes: Math.round(2 ** 30 * (1 + wave(id) / 100)),
      vram_bytes: Math.round(2 ** 34 * (wave(id) / 100)),
    })),
  };
}

const dir = await Deno.makeTempDir({ prefix: "aikore-bench-usage-" });
try {
  const path = `${dir}/aikore.db`;
  const db = openDatabase(path);
  const repository = new UsageHistoryRepository(db);
  const count = HISTORY_KEPT_MS / HISTORY_SAMPLE_MS;
  const start = Date.now() - HISTORY_KEPT_MS;
  const recordMs: number[] = [];
  const pruneMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * HISTORY_SAMPLE_MS;
    if (i % 360 === 0) {
      const began = performance.now();
      repository.prune(at);
      pruneMs.push(performance.now() - began);
    }
    const began = performance.now();
    repository.record(sample(at, i));
    if (i % 100 === 0) recordMs.push(performance.now() - began);
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const size = Deno.statSync(path).size;
  print(
    `usage history: ${count} samples (7 days every 10 s), ${gpus} GPUs, ${instances} instances`,
  );
  print(
    `database file ${(size / 2 ** 20).toFixed(1)} MiB; recording one sample ${
      median(recordMs).toFixed(2)
    } ms, pruning an hour ${median(pruneMs).toFixed(1)} ms (medians)`,
  );
  const now = start + count * HISTORY_SAMPLE_MS;
  for (const hours of HISTORY_HOURS) {
    const { tier, stepMs } = historyResolution(hours);
    const buckets = Math.ceil((hours * 3600_000) / stepMs);
    const range = { tier, from: now - buckets * stepMs, stepMs, buckets };
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      const began = performance.now();
      repository.read(range);
      repository.readInstance(1, range);
      times.push(performance.now() - began);
    }
    print(
      `read ${String(hours).padStart(3)} h (${tier}, ${buckets} buckets of ${
        stepMs / 1000
      } s), host, GPUs and one instance: ${median(times).toFixed(1)} ms`,
    );
  }
  db.close();
  print("re-run: deno run --allow-all tools/bench/usage_history.ts [gpus=8] [instances=10]");
} finally {
  await Deno.remove(dir, { recursive: true });
}
