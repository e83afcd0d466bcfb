/**
 * A database upgraded by a newer AiKore can be taken back: the copy made before the upgrade holds
 * the old schema and every row, readable by its owner only; the newest three are kept; an older
 * AiKore that meets the upgraded file names that copy.
 */
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertMatch, assertThrows } from "../../tests/helpers/assert.ts";
import { createLogger } from "../log/mod.ts";
import { openDatabase } from "./database.ts";
import { migrate, schemaVersion } from "./migration.ts";
import { MIGRATIONS } from "./migrations/list.ts";
import { copyBeforeUpgrade, upgradeCopies } from "./upgrade_copies.ts";

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

/** A database file as an AiKore of schema `version` left it, with one instance. */
function oldDatabase(path: string, version: number): void {
  const db = new DatabaseSync(path);
  migrate(db, MIGRATIONS.filter((m) => m.version <= version));
  db.prepare(
    `INSERT INTO instances (name, slug, blueprint, gpu_ids, output_path, port, created_at, updated_at)
     VALUES ('Comfy', 'comfy', 'ComfyUI.sh', '0', 'comfy', 19001, '2026-01-01', '2026-01-01')`,
  ).run();
  db.close();
}

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aikore-upgrade-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an upgrade copies the database first: old schema, every row, owner-only; logged", async () => {
  await withDir((dir) => {
    const path = `${dir}/aikore.db`;
    oldDatabase(path, 5);
    const logs: string[] = [];
    const db = openDatabase(path, { logger: createLogger("info", "db", (l) => logs.push(l)) });
    assertEquals(schemaVersion(db), LATEST);
    db.close();
    const copies = upgradeCopies(path);
    assertEquals(copies.length, 1);
    const copy = copies[0];
    assert(copy);
    assertEquals(copy.schema, 5);
    assertMatch(copy.path, /\/backups\/aikore-schema-5-\d{8}T\d{9}Z\.db$/);
    assertEquals((Deno.statSync(copy.path).mode ?? 0) & 0o777, 0o600);
    const old = new DatabaseSync(copy.path, { readOnly: true });
    assertEquals(schemaVersion(old), 5);
    assertEquals(old.prepare("SELECT slug FROM instances").all(), [{ slug: "comfy" }]);
    old.close();
    assertEquals(logs.length, 1);
    assertMatch(logs[0] ?? "", /copied the database before upgrading its schema from=5 to=\d+ /);

    // Opening the upgraded database again copies nothing; nor does a new one.
    openDatabase(path).close();
    openDatabase(`${dir}/new.db`).close();
    assertEquals(upgradeCopies(path).length, 1);
    assertEquals(upgradeCopies(`${dir}/new.db`).length, 1, "the same folder's copies");
  });
});

Deno.test("the newest three copies are kept", async () => {
  await withDir((dir) => {
    const path = `${dir}/aikore.db`;
    oldDatabase(path, 3);
    const db = new DatabaseSync(path);
    for (let day = 1; day <= 5; day++) {
      copyBeforeUpgrade(db, path, 3, new Date(Date.UTC(2026, 11, day)));
    }
    db.close();
    assertEquals(upgradeCopies(path).map((c) => c.made.slice(0, 8)), [
      "20261205",
      "20261204",
      "20261203",
    ]);
  });
});

Deno.test("a copy that cannot be made is logged and the upgrade goes on", async () => {
  await withDir((dir) => {
    const path = `${dir}/aikore.db`;
    oldDatabase(path, 6);
    Deno.writeTextFileSync(`${dir}/backups`, "a file where the folder would go");
    const logs: string[] = [];
    const db = openDatabase(path, { logger: createLogger("info", "db", (l) => logs.push(l)) });
    assertEquals(schemaVersion(db), LATEST);
    db.close();
    assertEquals(logs.length, 1);
    assertMatch(logs[0] ?? "", /WARN .*could not copy the database before upgrading it/);
  });
});

Deno.test("an AiKore older than the database refuses it and names the copy to go back to", async () => {
  await withDir((dir) => {
    const path = `${dir}/aikore.db`;
    oldDatabase(path, LATEST);
    const db = new DatabaseSync(path);
    copyBeforeUpgrade(db, path, LATEST, new Date(Date.UTC(2026, 11, 1)));
    db.exec(`PRAGMA user_version = ${LATEST + 1}`); // what a newer AiKore would leave
    db.close();
    const copy = upgradeCopies(path)[0]?.path ?? "";
    assertThrows(
      () => openDatabase(path),
      new RegExp(
        `schema version ${LATEST + 1} is newer than this AiKore understands \\(${LATEST}\\).*` +
          `copy ${copy.replaceAll(".", "\\.")} over`,
      ),
    );
    const untouched = new DatabaseSync(path, { readOnly: true });
    assertEquals(schemaVersion(untouched), LATEST + 1, "the newer database is left as it is");
    untouched.close();
  });
});
