/** An instance's usage history through the API (the recorder's samples as lib/db keeps them). */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";

Deno.test("usage history of an instance: its own samples by range; 404 for no instance, 422 for a bad range", async () => {
  const h = await startHarness();
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "trainer",
      base_blueprint: "http_app.sh",
    });
    assertEquals(created.status, 201);
    const id = created.body.id;
    const now = Date.now();
    for (const [ago, rss] of [[30_000, 1000], [20_000, 3000]] as const) {
      h.services.usageHistory.record({
        at: now - ago,
        cpu_percent: 1,
        ram_percent: 1,
        gpus: [],
        instances: [
          { id, cpu_percent: 150, rss_bytes: rss, vram_bytes: 512 },
          { id: id + 1, cpu_percent: 1, rss_bytes: 1, vram_bytes: null },
        ],
      });
    }
    const history = await h.json("GET", `/api/instances/${id}/stats/history?hours=6`);
    assertEquals(history.status, 200);
    assertEquals([history.body.hours, history.body.step_ms, history.body.rss_bytes.length], [
      6,
      60_000,
      360,
    ]);
    const rss = history.body.rss_bytes.filter((v: number | null) => v !== null);
    // Both samples in one minute's bucket, or one each side of a minute's turn.
    assert(
      JSON.stringify(rss) === "[2000]" || JSON.stringify(rss) === "[1000,3000]",
      JSON.stringify(rss),
    );
    assertEquals(history.body.vram_bytes.filter((v: number | null) => v !== null)[0], 512);

    assertEquals((await h.json("GET", `/api/instances/999/stats/history`)).status, 404);
    const bad = await h.json("GET", `/api/instances/${id}/stats/history?hours=48`);
    assertEquals(bad.status, 422);
    assertEquals(bad.body.error.details[0].field, "hours");
  } finally {
    await h.close();
  }
});
