import { deepEqual, equal, throws } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, schemaVersion } from "../migration.ts";
import { initialSchema } from "./001_initial.ts";
import { instanceIdsNeverReused } from "./002_instance_ids_never_reused.ts";

function insert(db: DatabaseSync, slug: string, parent: number | null = null): number {
  const result = db.prepare(
    `INSERT INTO instances (parent_id, name, slug, blueprint, output_path, created_at, updated_at)
     VALUES (?, ?, ?, 'b.sh', ?, 'now', 'now')`,
  ).run(parent, slug, slug, slug);
  return Number(result.lastInsertRowid);
}

function openV1(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db, [initialSchema]);
  return db;
}

Deno.test("migration 2 keeps rows, display order and parent links, and ids are never reused after it", () => {
  const db = openV1();
  const a = insert(db, "a");
  const b = insert(db, "b");
  const child = insert(db, "child", a);
  db.prepare("INSERT INTO display_order (instance_id, position) VALUES (?, ?), (?, ?), (?, ?)")
    .run(a, 2, b, 1, child, 3);
  db.prepare("DELETE FROM display_order WHERE instance_id = ?").run(b);
  db.prepare("DELETE FROM instances WHERE id = ?").run(b);

  deepEqual(migrate(db, [initialSchema, instanceIdsNeverReused]), [2]);
  equal(schemaVersion(db), 2);
  deepEqual(
    db.prepare("SELECT id, parent_id, slug FROM instances ORDER BY id").all().map((r) => ({
      ...r,
    })),
    [{ id: a, parent_id: null, slug: "a" }, { id: child, parent_id: a, slug: "child" }],
  );
  deepEqual(
    db.prepare("SELECT instance_id, position FROM display_order ORDER BY instance_id").all()
      .map((r) => ({ ...r })),
    [{ instance_id: a, position: 2 }, { instance_id: child, position: 3 }],
  );
  equal((db.prepare("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys, 1);

  // Foreign keys still hold: the parent link refuses, display order cascades.
  throws(() => db.prepare("DELETE FROM instances WHERE id = ?").run(a), /FOREIGN KEY/);
  throws(() => insert(db, "orphan", 999), /FOREIGN KEY/);

  const next = insert(db, "next");
  equal(next, child + 1);
  db.prepare("DELETE FROM instances WHERE id = ?").run(next);
  equal(insert(db, "after-delete"), next + 1, "the deleted id is not handed out again");
  db.prepare("DELETE FROM instances WHERE id = ?").run(child);
  equal(
    db.prepare("SELECT COUNT(*) AS n FROM display_order WHERE instance_id = ?").get(child)?.n,
    0,
  );
  db.close();
});

Deno.test("migration 2 on an empty database starts ids at 1 and never goes back", () => {
  const db = openV1();
  migrate(db, [initialSchema, instanceIdsNeverReused]);
  const first = insert(db, "first");
  equal(first, 1);
  db.prepare("DELETE FROM instances").run();
  equal(insert(db, "second"), 2);
  db.close();
});
