import { assertEquals } from "../../tests/helpers/assert.ts";
import type { GpuStats, SystemStats } from "../../lib/shared/stats.ts";
import { systemStats } from "../../tests/helpers/system_stats.ts";
import { sparklinePoints, StatsHistory, TREND_SAMPLES, trendKey } from "./stats_history.ts";

function sample(cpu: number, gpus: Array<Partial<GpuStats> & { id: number }> = []): SystemStats {
  return systemStats({
    cpu_percent: cpu,
    gpus: gpus.map((gpu) => ({
      utilization_percent: null,
      vram: { total: 1, used: 0, free: 1, percent: 0 },
      ...gpu,
    })) as GpuStats[],
  });
}

Deno.test("a trend keeps the last five minutes of each series, clamped, and forgets a gone GPU", () => {
  const history = new StatsHistory();
  for (let i = 0; i < TREND_SAMPLES + 5; i++) history.push(sample(i === 0 ? 150 : i % 100));
  const cpu = history.values(trendKey.cpu);
  assertEquals(cpu.length, TREND_SAMPLES);
  assertEquals(cpu.at(-1), (TREND_SAMPLES + 4) % 100, "the newest last");
  assertEquals(history.values(trendKey.ram).length, TREND_SAMPLES);
  history.push(
    sample(5, [{
      id: 0,
      utilization_percent: 80,
      vram: { total: 1, used: 1, free: 0, percent: 100 },
    }]),
  );
  history.push(sample(5, [{ id: 0, utilization_percent: null }]));
  assertEquals(history.values(trendKey.gpuUtilization(0)), [80], "an unknown reading is skipped");
  assertEquals(history.values(trendKey.gpuVram(0)), [100, 0]);
  history.push(sample(5));
  assertEquals(history.values(trendKey.gpuVram(0)), [], "the GPU went away");
  const first = new StatsHistory();
  first.push(sample(150));
  assertEquals(first.values(trendKey.cpu), [100], "clamped to 100");
});

Deno.test("sparkline points: newest at the right edge, 100 % at the top, one step per sample", () => {
  assertEquals(sparklinePoints([0, 50, 100], 10, 20, 3), "0,20 5,10 10,0");
  assertEquals(sparklinePoints([100], 120, 24), "120,0");
  assertEquals(sparklinePoints([], 120, 24), "");
  const full = sparklinePoints(Array(TREND_SAMPLES).fill(25), 120, 24).split(" ");
  assertEquals([full.length, full[0], full.at(-1)], [TREND_SAMPLES, "0,18", "120,18"]);
});
