import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { openDatabase } from "../db/mod.ts";
import { sha256Hex } from "./secret_token.ts";
import { SessionStore } from "./session_store.ts";

const LIFETIMES = { idleMs: 3_600_000, absoluteMs: 24 * 3_600_000 };

function setup() {
  const db = openDatabase(":memory:");
  const state = { now: 1_700_000_000_000 };
  const store = new SessionStore(db, () => state.now, LIFETIMES);
  return { db, state, store };
}

function rows(db: DatabaseSync) {
  return db.prepare("SELECT * FROM sessions").all() as Array<Record<string, unknown>>;
}

Deno.test("a session id is 256 random bits and only its SHA-256 is stored", () => {
  const { db, store } = setup();
  const session = store.create("192.0.2.1");
  assert(/^[A-Za-z0-9_-]{43}$/.test(session.id));
  assert(/^[0-9a-f]{64}$/.test(session.csrfToken));
  const [row] = rows(db);
  assertEquals(row?.id_hash, sha256Hex(session.id));
  assert(!JSON.stringify(rows(db)).includes(session.id), "the clear id is in the table");
  assertEquals(store.find(session.id)?.csrfToken, session.csrfToken);
  assert(store.create(null).id !== session.id);
  db.close();
});

Deno.test("idle sessions end; activity keeps them alive until the absolute expiry", () => {
  const { db, state, store } = setup();
  const idle = store.create(null);
  const active = store.create(null);
  for (let hour = 0; hour < 23; hour++) {
    state.now += 30 * 60_000;
    assert(store.find(active.id), `active session lost after ${hour} h`);
    state.now += 30 * 60_000;
    assert(store.find(active.id));
  }
  assertEquals(store.find(idle.id), null, "idle session survived");
  state.now += 3_600_000; // past 24 h since creation
  assertEquals(store.find(active.id), null, "absolute expiry ignored");
  assertEquals(rows(db).length, 0, "expired rows are deleted");
  db.close();
});

Deno.test("last-seen is written at most once a minute", () => {
  const { db, state, store } = setup();
  const session = store.create(null);
  const created = rows(db)[0]?.last_seen_at;
  state.now += 30_000;
  store.find(session.id);
  assertEquals(rows(db)[0]?.last_seen_at, created);
  state.now += 31_000;
  store.find(session.id);
  assertEquals(rows(db)[0]?.last_seen_at, state.now);
  db.close();
});

Deno.test("unknown and malformed ids find nothing; delete and deleteAll end sessions", () => {
  const { db, store } = setup();
  const a = store.create(null);
  const b = store.create(null);
  const c = store.create(null);
  for (const bad of ["", "x", a.id + "x", a.id.slice(1), "' OR 1=1 --"]) {
    assertEquals(store.find(bad), null, bad);
  }
  assert(store.delete(a.id));
  assert(!store.delete(a.id));
  assertEquals(store.find(a.id), null);
  assertEquals(store.deleteAll(), 2);
  assertEquals(store.find(b.id), null);
  assertEquals(store.find(c.id), null);
  db.close();
});
