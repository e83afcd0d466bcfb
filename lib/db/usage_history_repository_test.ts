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
