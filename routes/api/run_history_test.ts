/** Run history and the failed run's last lines, against a real AiKore running a real script. */
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { readSse, startServerHarness } from "../../tests/helpers/server_harness.ts";

Deno.test({
  name: "each run is listed with its exit and log; a failed run's last lines are in the DTO",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const h = await startServerHarness();
    const events = new AbortController();
    try {
      const created = await (await h.fetch("/api/instances", {
        method: "POST",
        body: JSON.stringify({
          name: "fails",
          base_blueprint: "exits_at_once.sh",
          gpu_ids: "none",
        }),
      })).json();
      const stream = await h.fetch("/api/events", { signal: events.signal });
      const exits = readSse(stream);
      // next() by hand: leaving a for-await loop would close the stream for the second run.
      const exited = async () => {
        while (true) {
          const { value: event, done } = await exits.next();
          if (done) throw new Error("stream ended");
          if (event.event !== "instance") continue;
          const dto = JSON.parse(event.data);
          if (dto.id === created.id && dto.status === "exited") return dto;
        }
      };
      for (let run = 0; run < 2; run++) {
        const started = await h.fetch(`/api/instances/${created.id}/start`, { method: "POST" });
        await started.body?.cancel();
        const dto = await exited();
        assertEquals(dto.exit_code, 3);
        assertEquals(dto.last_output, ["exits_at_once: failing on purpose"]);
      }
      const { runs } = await (await h.fetch(`/api/instances/${created.id}/runs`)).json();
      assertEquals(runs.length, 2);
      for (const run of runs) {
        assertEquals([run.outcome, run.exit_code, run.has_log], ["exited", 3, true]);
        assertEquals(typeof run.duration_ms, "number");
      }
      const older = await h.fetch(`/api/instances/${created.id}/runs/1/log?download=1`);
      assertEquals(older.status, 200);
      assertMatch(older.headers.get("content-disposition") ?? "", /fails-run-1\.log/);
      assertMatch(await older.text(), /failing on purpose/);
      const gone = await h.fetch(`/api/instances/${created.id}/runs/7/log`);
      assertEquals(gone.status, 404);
      assertMatch((await gone.json()).error.message, /no longer kept/);
      const listed = await (await h.fetch("/api/instances")).json();
      assertEquals(listed[0].last_output, ["exits_at_once: failing on purpose"]);
    } finally {
      events.abort();
      await h.close();
    }
  },
});
