import { deepEqual, throws } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate } from "../migration.ts";
import { MIGRATIONS } from "./list.ts";
import { type InstanceRow, rowToRecord } from "../instance_record.ts";

Deno.test("migration 5 keeps rows with the idle policy off and refuses a negative one", () => {
  const db = new DatabaseSync(":memory:");
  migrate(db, MIGRATIONS.filter((m) => m.version <= 4));
  db.prepare(
    `INSERT INTO instances (name, slug, blueprint, output_path, created_at, updated_at)
     VALUES ('a', 'a', 'b.sh', 'a', 'now', 'now')`,
  ).run();
  deepEqual(migrate(db, MIGRATIONS.filter((m) => m.version <= 5)), [5]);
  const row = db.prepare("SELECT * FROM instances").get() as unknown as InstanceRow;
  const record = rowToRecord(row);
  deepEqual([row.idle_stop_minutes, record.idleStopMinutes, record.invalidReason], [
    null,
    null,
    null,
  ]);
  db.prepare("UPDATE instances SET idle_stop_minutes = 30").run();
  deepEqual(
    rowToRecord(db.prepare("SELECT * FROM instances").get() as unknown as InstanceRow)
      .idleStopMinutes,
    30,
  );
  throws(() => db.prepare("UPDATE instances SET idle_stop_minutes = -1").run(), /CHECK constraint/);
  db.prepare("UPDATE instances SET idle_stop_minutes = 99999").run();
  const tooLong = rowToRecord(
    db.prepare("SELECT * FROM instances").get() as unknown as InstanceRow,
  );
  deepEqual(
    tooLong.invalidReason?.startsWith("idle_stop_minutes:"),
    true,
    "a bad stored value is named",
  );
  db.close();
});
