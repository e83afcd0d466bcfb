import { assertEquals } from "../../tests/helpers/assert.ts";
import type { UsageSample } from "../shared/usage_history.ts";
import { openDatabase } from "./database.ts";
import { UsageHistoryRepository } from "./usage_history_repository.ts";

async function withRepository(test: (repository: UsageHistoryRepository, path: string) => void) {
  const dir = await Deno.makeTempDir();
  const db = openDatabase(`${dir}/aikore.db`);
  try {
    test(new UsageHistoryRepository(db), `${dir}/aikore.db`);
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

Deno.test("usage history: samples are averaged per bucket; a bucket with none is null (a gap)", async () => {
  await withRepository((repository) => {
    const from = 1_000_000;
    // Bucket 0: two samples; bucket 1: none (AiKore was down); bucket 2: one.
    repository.record(sample(from + 0, 10, [0, 50]));
    repository.record(sample(from + 10_000, 30, [100, 70]));
    repository.record(sample(from + 60_000, 55.55, [null, 20]));
    const history = repository.read(from, 30_000, 3);
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
    assertEquals(repository.read(from + 90_000, 30_000, 2).cpu_percent, [null, null]);
  });
});

Deno.test("usage history: kept in the database file, pruned by age, a sample stored twice counted once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/aikore.db`;
    let db = openDatabase(path);
    let repository = new UsageHistoryRepository(db);
    for (let i = 0; i < 10; i++) repository.record(sample(i * 10_000, i, [i]));
    repository.record(sample(90_000, 9, [9])); // the same moment again (a shared hub sample)
    db.close();
    // Read back after a restart of AiKore.
    db = openDatabase(path);
    repository = new UsageHistoryRepository(db);
    assertEquals(repository.read(0, 50_000, 2).cpu_percent, [2, 7]);
    assertEquals(repository.prune(50_000), 5);
    assertEquals(repository.read(0, 50_000, 2).cpu_percent, [null, 7]);
    assertEquals(repository.read(0, 50_000, 2).gpus[0]?.utilization_percent, [null, 7]);
    db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
    const seven = repository.readInstance(7, 0, 20_000, 3);
    assertEquals(seven.cpu_percent, [200, null, null]);
    assertEquals(seven.rss_bytes, [2001, null, null]);
    assertEquals(seven.vram_bytes, [2000, null, null], "an unknown figure is not counted");
    assertEquals(repository.readInstance(8, 0, 20_000, 3).rss_bytes, [10, null, 11]);
    assertEquals(repository.readInstance(9, 0, 20_000, 3).cpu_percent, [null, null, null]);
    repository.prune(20_000);
    assertEquals(repository.readInstance(7, 0, 20_000, 3).cpu_percent, [null, null, null]);
    assertEquals(repository.readInstance(8, 0, 20_000, 3).rss_bytes, [null, null, 11]);
  });
});
