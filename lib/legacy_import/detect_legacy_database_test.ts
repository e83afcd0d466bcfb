import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { assertEquals } from "../../tests/helpers/assert.ts";
import { buildLegacyDb } from "../../tests/fixtures/legacy/build_legacy_db.ts";
import { openDatabase } from "../db/mod.ts";
import { detectLegacyDatabase } from "./detect_legacy_database.ts";

Deno.test("legacy databases are recognised with their schema version; others are not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-detect-" });
  try {
    for (const version of [1, 2, 3, 4, 5, 6] as const) {
      const path = join(dir, `v${version}.db`);
      buildLegacyDb(path, version);
      assertEquals(
        detectLegacyDatabase(path),
        { legacy: true, schemaVersion: version },
        `V${version}`,
      );
    }
    const noVersion = new DatabaseSync(join(dir, "meta-only.db"));
    noVersion.exec("CREATE TABLE aikore_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)");
    noVersion.close();
    assertEquals(detectLegacyDatabase(join(dir, "meta-only.db")), {
      legacy: true,
      schemaVersion: 1,
    });
    openDatabase(join(dir, "new.db")).close();
    await Deno.writeTextFile(join(dir, "text.db"), "SQLite format 3 but not really");
    await Deno.writeFile(join(dir, "empty.db"), new Uint8Array());
    for (const name of ["new.db", "text.db", "empty.db", "missing.db", "."]) {
      assertEquals(
        detectLegacyDatabase(join(dir, name)),
        { legacy: false, schemaVersion: null },
        name,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
