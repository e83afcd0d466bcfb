import { join } from "node:path";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { buildLegacyDb } from "../../tests/fixtures/legacy/build_legacy_db.ts";
import { openDatabase } from "../db/mod.ts";
import { InstanceRepository } from "../db/mod.ts";
import { detectLegacyDatabase } from "./detect_legacy_database.ts";
import { importLegacyDatabase } from "./import_legacy_database.ts";
import {
  listMovedLegacyDatabases,
  prepareLegacyDatabaseAtStart,
} from "./prepare_legacy_database_at_start.ts";

async function withDataDir(fn: (dir: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "aikore-first-start-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
const clock = () => new Date("2025-03-04T05:06:07.890Z");

Deno.test("a Python-AiKore aikore.db is moved aside with its WAL, then a fresh DB can import it", async () => {
  await withDataDir(async (dir) => {
    buildLegacyDb(join(dir, "aikore.db"), 6, { walOnly: true });
    const wal = await Deno.readFile(join(dir, "aikore.db-wal"));
    const { legacyPath } = prepareLegacyDatabaseAtStart(dir, clock);
    assertEquals(legacyPath, join(dir, "aikore.legacy-20250304T050607Z.db"));
    assertEquals(names(dir), [
      "aikore.legacy-20250304T050607Z.db",
      "aikore.legacy-20250304T050607Z.db-shm",
      "aikore.legacy-20250304T050607Z.db-wal",
    ]);
    assertEquals(await Deno.readFile(join(dir, "aikore.legacy-20250304T050607Z.db-wal")), wal);
    assertEquals(listMovedLegacyDatabases(dir), [legacyPath]);
    const db = openDatabase(join(dir, "aikore.db"));
    try {
      assertEquals(detectLegacyDatabase(join(dir, "aikore.db")).legacy, false);
      assert(legacyPath);
      const report = importLegacyDatabase({
        source: legacyPath,
        target: db,
        backupDir: dir,
        portRange: { start: 19001, end: 19020 },
      });
      assertEquals(report.imported.length, new InstanceRepository(db).count());
      assertEquals(report.imported.length, 6);
    } finally {
      db.close();
    }
    // The next start finds a new-format database and leaves it alone.
    assertEquals(prepareLegacyDatabaseAtStart(dir, clock), { legacyPath: null });
  });
});

Deno.test("nothing is moved when there is no database or it is already an AiKore one", async () => {
  await withDataDir((dir) => {
    assertEquals(prepareLegacyDatabaseAtStart(dir), { legacyPath: null });
    openDatabase(join(dir, "aikore.db")).close();
    const before = names(dir);
    assertEquals(prepareLegacyDatabaseAtStart(dir), { legacyPath: null });
    assertEquals(names(dir), before);
    assertEquals(listMovedLegacyDatabases(join(dir, "missing")), []);
  });
});

Deno.test("a second legacy database moved in the same second gets its own name", async () => {
  await withDataDir((dir) => {
    buildLegacyDb(join(dir, "aikore.db"), 1);
    const first = prepareLegacyDatabaseAtStart(dir, clock).legacyPath;
    buildLegacyDb(join(dir, "aikore.db"), 4);
    const second = prepareLegacyDatabaseAtStart(dir, clock).legacyPath;
    assertEquals([first, second], [
      join(dir, "aikore.legacy-20250304T050607Z.db"),
      join(dir, "aikore.legacy-20250304T050607Z-2.db"),
    ]);
    assert(second);
    assertEquals(detectLegacyDatabase(second), { legacy: true, schemaVersion: 4 });
    assertEquals(listMovedLegacyDatabases(dir), [first, second]);
  });
});
