/**
 * `aikore usage` and `aikore instances usage NAME` through the real program against a real
 * server, with samples of the last hours in its database.
 */
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { openDatabase, UsageHistoryRepository } from "../db/mod.ts";
import { runProgram, startApiServer } from "./test_support.ts";

Deno.test("usage and instances usage print each series' mean, max and latest value; --json the series; a bad --hours is a usage error", async () => {
  const server = await startApiServer();
  const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
  const cli = (args: string[]) => runProgram(args, { env });
  try {
    const { id } = await server.create("trainer", "http_app.sh");
    const db = openDatabase(`${server.dataDir}/aikore.db`);
    try {
      const repository = new UsageHistoryRepository(db);
      const now = Date.now();
      // Two samples 20 and 10 minutes ago: one GPU at 60 and 100 %, the trainer growing.
      const samples: [number, number, number][] = [[20, 60, 2 ** 30], [10, 100, 3 * 2 ** 30]];
      for (const [minutes, use, rss] of samples) {
        repository.record({
          at: now - minutes * 60_000,
          cpu_percent: use / 2,
          ram_percent: 40,
          gpus: [{
            id: 0,
            utilization_percent: use,
            vram_percent: 75,
            temperature_c: 70,
            power_w: 300,
          }],
          instances: [{ id, cpu_percent: 2 * use, rss_bytes: rss, vram_bytes: 2 ** 33 }],
        });
      }
    } finally {
      db.close();
    }

    const host = await cli(["usage", "--hours", "1"]);
    assertEquals(host.code, 0, host.stderr);
    const lines = host.stdout.trimEnd().split("\n");
    assertMatch(lines[0] ?? "", /^samples cover \d+ min of the last 1 h \(a gap: not running\)$/);
    assertMatch(lines[1] ?? "", /^SERIES\s+MEAN\s+MAX\s+LAST$/);
    assertMatch(host.stdout, /\nGPU 0 utilization\s+80\.0%\s+100\.0%\s+100\.0%\n/);
    assertMatch(host.stdout, /\nGPU 0 power\s+300 W\s+300 W\s+300 W/);
    assertMatch(host.stdout, /\nRAM\s+\d+\.\d%/);

    const trainer = await cli(["instances", "usage", "trainer", "--hours", "6"]);
    assertEquals(trainer.code, 0, trainer.stderr);
    assertMatch(trainer.stdout, /\nCPU \(100% = one core\)\s+160\.0%\s+200\.0%\s+200\.0%\n/);
    assertMatch(trainer.stdout, /\nmemory \(RSS\)\s+2\.0 GB\s+3\.0 GB\s+3\.0 GB\n/);
    assertMatch(trainer.stdout, /\nVRAM\s+8\.0 GB\s+8\.0 GB\s+8\.0 GB/);

    const json = await cli(["instances", "usage", String(id), "--json"]);
    const history = JSON.parse(json.stdout);
    assertEquals([history.hours, history.step_ms, history.rss_bytes.length], [24, 300_000, 288]);

    const bad = await cli(["usage", "--hours", "48"]);
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /--hours must be one of 1, 6, 24, 168, not "48"/);
    const unknown = await cli(["instances", "usage", "nobody"]);
    assertEquals(unknown.code, 1);
    assertMatch(unknown.stderr, /no instance "nobody"/);
  } finally {
    await server.close();
  }
});
