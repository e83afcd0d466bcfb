import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { openDatabase } from "./database.ts";
import { AuditRepository } from "./audit_repository.ts";

function setup(limits = {}) {
  let now = Date.parse("2026-12-06T10:00:00Z");
  const db = openDatabase(":memory:");
  const audit = new AuditRepository(db, () => new Date(now), limits);
  return { db, audit, advance: (ms: number) => (now += ms) };
}

Deno.test("audit fields are truncated: a 7 KB path or detail never lands whole", () => {
  const { db, audit } = setup();
  audit.record({
    actor: "a".repeat(500),
    action: "instance.start",
    target: "/" + "A".repeat(7000),
    client: "1".repeat(300),
    detail: { blob: "x".repeat(10_000) },
  });
  const [row] = audit.list({ limit: 1 });
  assertEquals(row?.actor.length, 100);
  assertEquals(row?.target?.length, 256);
  assertEquals(row?.client?.length, 64);
  assertEquals(row?.detail?.truncated, true);
  assert(JSON.stringify(row?.detail).length < 1100);
  db.close();
});

Deno.test("rejections count into one row per address, reason and window", () => {
  const { db, audit, advance } = setup({ countWindowMs: 60_000 });
  const reject = (client: string, reason = "not signed in") =>
    audit.recordCounted(
      { actor: "anonymous", action: "ws_rejected", target: "/x", client, detail: { reason } },
      reason,
    );
  for (let i = 0; i < 500; i++) reject("192.0.2.1");
  reject("192.0.2.2");
  reject("192.0.2.1", "origin");
  let rows = audit.list({ limit: 10, action: "ws_rejected" });
  assertEquals(rows.map((r) => [r.client, r.detail?.reason, r.detail?.count]), [
    ["192.0.2.1", "origin", 1],
    ["192.0.2.2", "not signed in", 1],
    ["192.0.2.1", "not signed in", 500],
  ]);
  advance(61_000);
  reject("192.0.2.1");
  rows = audit.list({ limit: 10, action: "ws_rejected" });
  assertEquals(rows.length, 4, "a new window starts a new row");
  db.close();
});

Deno.test("the table is capped by rows and bytes, oldest first", () => {
  const { db, audit } = setup({ maxRows: 300, maxBytes: 1_000_000 });
  for (let i = 0; i < 1000; i++) {
    audit.record({
      actor: "system",
      action: "instance.start",
      target: `i${i}`,
      client: null,
      detail: null,
    });
  }
  audit.prune();
  const rows = audit.list({ limit: 500 });
  assert(rows.length >= 270 && rows.length <= 300, `${rows.length} rows`);
  assertEquals(rows[0]?.target, "i999", "the newest stay");
  assertEquals(rows.at(-1)?.target, `i${1000 - rows.length}`, "the oldest went first");
  const small = setup({ maxRows: 100_000, maxBytes: 20_000 });
  for (let i = 0; i < 500; i++) {
    small.audit.record({
      actor: "system",
      action: "instance.stop",
      target: `t${i}`,
      client: null,
      detail: { pad: "p".repeat(200) },
    });
  }
  small.audit.prune();
  const kept = small.audit.list({ limit: 500 });
  assert(kept.length > 50 && kept.length < 100, `${kept.length} rows within 20 kB`);
  assertEquals(kept[0]?.target, "t499", "the newest stay");
  db.close();
  small.db.close();
});

Deno.test("the filter accepts auth.<event> and the bare event names it shows", () => {
  const { db, audit } = setup();
  audit.record({ actor: "session:x", action: "login", target: null, client: "::1", detail: null });
  audit.record({
    actor: "system",
    action: "instance.start",
    target: "a",
    client: null,
    detail: null,
  });
  assertEquals(audit.list({ limit: 5, action: "auth.login" }).map((r) => r.action), ["login"]);
  assertEquals(audit.list({ limit: 5, action: "login" }).length, 1);
  assertEquals(audit.list({ limit: 5, action: "instance.start" }).length, 1);
  assertEquals(audit.list({ limit: 5, action: "auth.logout" }).length, 0);
  db.close();
});
