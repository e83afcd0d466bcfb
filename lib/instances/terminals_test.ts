import { assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import { silentLogger } from "../log/mod.ts";
import { TerminalManager } from "./terminals.ts";

Deno.test("terminals nobody watches are reaped after the idle time; watched ones stay", async () => {
  const h = await startHarness();
  let now = 1_000_000;
  const manager = new TerminalManager({
    paths: h.services.paths,
    blueprints: h.services.catalog,
    logger: silentLogger,
    baseEnv: h.services.baseEnv,
    limit: 4,
    idleMs: 60_000,
    now: () => now,
  });
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "reap",
      base_blueprint: "http_app.sh",
    });
    const record = h.services.store.get(created.body.id);
    if (!record) throw new Error("no record");
    const idle = await manager.open(record, null);
    const watched = await manager.open(record, null);
    const detach = watched.session.attach({
      id: "viewer",
      cols: 80,
      rows: 24,
      send: () => {},
      onExit: () => {},
    });
    now += 30_000;
    assertEquals(await manager.reapIdle(), 0, "not idle long enough");
    now += 31_000;
    assertEquals(await manager.reapIdle(), 1);
    assertEquals(manager.get(idle.id, record.id), null);
    assertEquals(manager.get(watched.id, record.id)?.id, watched.id);
    await idle.session.exited;
    detach();
  } finally {
    await manager.closeAll();
    await h.close();
  }
});
