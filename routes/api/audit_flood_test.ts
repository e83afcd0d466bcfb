/**
 * Issue 16 §2: unauthenticated WebSocket upgrades used to insert a row each holding the whole
 * path (3,000 requests grew the database by 22 MB). The real app, real SQLite file.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";

async function dbBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const name of ["aikore.db", "aikore.db-wal"]) {
    total += await Deno.stat(`${dataDir}/${name}`).then((s) => s.size).catch(() => 0);
  }
  return total;
}

Deno.test("10,000 unauthenticated upgrade requests grow the database by < 1 MB; real events stay listed", async () => {
  const h = await startHarness();
  try {
    const made = await h.json("POST", "/api/instances", {
      name: "real",
      base_blueprint: "http_app.sh",
    });
    assertEquals(made.status, 201);
    await h.services.auth.applyInitialPassword("a long enough passphrase 1");
    assert((await h.services.auth.login("a long enough passphrase 1", { client: "192.0.2.7" })).ok);
    h.services.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const before = await dbBytes(h.dataDir);
    const longPath = "/" + "A".repeat(7000);
    for (let i = 0; i < 10_000; i++) {
      const response = await h.app.request(
        i % 2 ? longPath : `/api/instances/1/terminal?x=${"B".repeat(7000)}`,
        {
          headers: { host: "127.0.0.1:9000", upgrade: "websocket", connection: "Upgrade" },
        },
        // Three addresses, as one attacker with a few machines would send them.
        { remoteAddr: { transport: "tcp", hostname: `203.0.113.${i % 3}`, port: 40000 } },
      );
      assertEquals(response.status, 401);
      await response.body?.cancel();
    }
    h.services.audit.flush();
    const grown = (await dbBytes(h.dataDir)) - before;
    assert(grown < 1024 * 1024, `the database grew by ${grown} bytes`);
    const rejected = await h.json("GET", "/api/audit?action=ws_rejected&limit=500");
    const counted = rejected.body.entries.reduce(
      (sum: number, row: { detail: { count: number } }) => sum + row.detail.count,
      0,
    );
    assertEquals(counted, 10_000, "every rejection is still counted");
    assert(rejected.body.entries.length <= 3, `${rejected.body.entries.length} rows`);
    const created = await h.json("GET", "/api/audit?action=instance.create");
    assertEquals(created.body.entries.map((e: { target: string }) => e.target), ["real"]);
    const logins = await h.json("GET", "/api/audit?action=auth.login");
    assertEquals(logins.body.entries.length, 1, "the filter's own example finds the login");
  } finally {
    await h.close();
  }
});

Deno.test("rebuild and version check are audited", async () => {
  const h = await startHarness();
  try {
    const made = await h.json("POST", "/api/instances", {
      name: "aud",
      base_blueprint: "http_app.sh",
    });
    assertEquals((await h.json("POST", `/api/instances/${made.body.id}/rebuild`)).status, 200);
    await h.json("POST", `/api/instances/${made.body.id}/version-check`);
    const rebuild = await h.json("GET", "/api/audit?action=instance.rebuild");
    assertEquals(rebuild.body.entries.map((e: { target: string }) => e.target), ["aud"]);
    assertEquals(rebuild.body.entries[0].actor, "token:tests");
    const check = await h.json("GET", "/api/audit?action=instance.version_check");
    assertEquals(check.body.entries.length, 1);
  } finally {
    await h.close();
  }
});
