import { assertEquals } from "../../tests/helpers/assert.ts";
import { HISTORY_KEPT_MS, HISTORY_RAW_KEPT_MS, type UsageSample } from "../shared/usage_history.ts";
import { openDatabase } from "./database.ts";
import { UsageHistoryRepository, type UsageRange } from "./usage_history_repository.ts";

async function withRepository(test: (repository: UsageHistoryRepository) => void) {
  const dir = await Deno.makeTempDir();
  const db = openDatabase(`${dir}/aikore.db`);
  try {
    test(new UsageHistoryRepository(db));
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const sample = (at: number, cpu: number, gpuUse: (number | null)[] = []): UsageSample => ({
  at,
  cpu_percent: cpu,
  ram_percent: cpu / 2,
  gpus: gpuUse.map((use, id) => ({
    id,
    utilization_percent: use,
    vram_percent: 40 + id,
    temperature_c: 60,
    power_w: use === null ? null : 100 + use,
  })),
  instances: [],
});

const samples = (from: number, stepMs: number, buckets: number): UsageRange => ({
  tier: "samples",
  from,
  stepMs,
  buckets,
});
const MINUTE = 60_000;
const averages = (from: number, stepMs: number, buckets: number): UsageRange => ({
  tier: "averages",
  from,
  stepMs,
  buckets,
});

Deno.test("usage history: samples are averaged per bucket; a bucket with none is null (a gap)", async () => {
  await withRepository((repository) => {
    const from = 1_000_000_000;
    // Bucket 0: two samples; bucket 1: none (AiKore was down); bucket 2: one.
    repository.record(sample(from + 0, 10, [0, 50]));
    repository.record(sample(from + 10_000, 30, [100, 70]));
    repository.record(sample(from + 60_000, 55.55, [null, 20]));
    const history = repository.read(samples(from, 30_000, 3));
    assertEquals(history.from, from);
    assertEquals(history.step_ms, 30_000);
    assertEquals(history.cpu_percent, [20, null, 55.6]);
    assertEquals(history.ram_percent, [10, null, 27.8]);
    assertEquals(history.gpus.map((g) => g.id), [0, 1]);
    assertEquals(
      history.gpus[0]?.utilization_percent,
      [50, null, null],
      "an unknown figure stays null",
    );
    assertEquals(history.gpus[1]?.utilization_percent, [60, null, 20]);
    assertEquals(history.gpus[1]?.vram_percent, [41, null, 41]);
    assertEquals(history.gpus[0]?.power_w, [150, null, null]);
    // Outside the range: not counted.
    assertEquals(repository.read(samples(from + 90_000, 30_000, 2)).cpu_percent, [null, null]);
  });
});

Deno.test("usage history: each sample brings its 5-minute average up to date, also a period cut short", async () => {
  await withRepository((repository) => {
    const period = 5 * MINUTE;
    const from = 3000 * period; // a period's start
    // Period 0: 10 % for two minutes, then 40 % for three: 28 %. Period 1: one sample only (AiKore
    // stopped right after it), 90 %. Period 2: nothing.
    for (let s = 0; s < 30; s++) {
      repository.record(sample(from + s * 10_000, s < 12 ? 10 : 40, [s < 12 ? 0 : 100]));
    }
    repository.record(sample(from + period + 20_000, 90, [50]));
    const read = repository.read(averages(from, period, 3));
    assertEquals(read.cpu_percent, [28, 90, null]);
    assertEquals(read.gpus[0]?.utilization_percent, [60, 50, null]);
    // Two averages to a 10-minute bucket: their mean.
    assertEquals(repository.read(averages(from, 2 * period, 1)).cpu_percent, [59]);
    // A sample recorded late for an earlier period (another writer) updates that average.
    repository.record(sample(from + 290_000, 100, [100]));
    assertEquals(repository.read(averages(from, period, 1)).cpu_percent, [30]);
  });
});

Deno.test("usage history: an instance's samples are read alone, in buckets, with gaps where it did not run", async () => {
  await withRepository((repository) => {
    const at = (seconds: number, instances: UsageSample["instances"]) =>
      repository.record({ ...sample(seconds * 1000, 1), instances });
    at(0, [{ id: 7, cpu_percent: 100, rss_bytes: 1000, vram_bytes: 2000 }]);
    at(10, [
      { id: 7, cpu_percent: 300, rss_bytes: 3001, vram_bytes: null },
      { id: 8, cpu_percent: 5, rss_bytes: 10, vram_bytes: 20 },
    ]);
    at(40, [{ id: 8, cpu_percent: 6, rss_bytes: 11, vram_bytes: 21 }]);
    const seven = repository.readInstance(7, samples(0, 20_000, 3));
    assertEquals(seven.cpu_percent, [200, null, null]);
    assertEquals(seven.rss_bytes, [2001, null, null]);
    assertEquals(seven.vram_bytes, [2000, null, null], "an unknown figure is not counted");
    assertEquals(repository.readInstance(8, samples(0, 20_000, 3)).rss_bytes, [10, null, 11]);
    assertEquals(repository.readInstance(9, samples(0, 20_000, 3)).cpu_percent, [null, null, null]);
    assertEquals(repository.readInstance(7, averages(0, 5 * MINUTE, 1)).cpu_percent, [200]);
  });
});

Deno.test("usage history: kept in the database file; each tier pruned after its own time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/aikore.db`;
    const now = 10_000 * 5 * MINUTE;
    let db = openDatabase(path);
    let repository = new UsageHistoryRepository(db);
    const day = 24 * 3600_000;
    // A sample a day for eight days back, and one now.
    for (let d = 8; d >= 1; d--) repository.record(sample(now - d * day, d, [d]));
    repository.record(sample(now, 50, [50]));
    repository.record(sample(now, 50, [50])); // the same moment again (a shared hub sample)
    db.close();
    // Read back after a restart of AiKore.
    db = openDatabase(path);
    repository = new UsageHistoryRepository(db);
    const week = averages(now - 8 * day, day, 9);
    assertEquals(repository.read(week).cpu_percent, [8, 7, 6, 5, 4, 3, 2, 1, 50]);
    // The 8 samples of earlier days are past their 6 hours; of the averages, only the 8-day one
    // is past its 7 days.
    assertEquals(repository.prune(now), 9, "host rows removed");
    assertEquals(HISTORY_RAW_KEPT_MS < day && HISTORY_KEPT_MS === 7 * day, true);
    assertEquals(repository.read(week).cpu_percent, [null, 7, 6, 5, 4, 3, 2, 1, 50]);
    assertEquals(repository.read(week).gpus[0]?.utilization_percent.slice(0, 2), [null, 7]);
    assertEquals(
      repository.read(samples(now - 8 * day, day, 9)).cpu_percent.filter((v) => v !== null),
      [50],
    );
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
