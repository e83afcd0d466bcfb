import { assertEquals } from "../../tests/helpers/assert.ts";
import { rangeName, seriesLines } from "./history_chart.ts";
import { seriesSummary } from "../../lib/shared/usage_history.ts";

Deno.test("history chart: a gap breaks the line; each bucket is a flat step across its width", () => {
  // 4 buckets over 40 px (10 px each), 0-100 % over 20 px.
  assertEquals(seriesLines([0, 50, null, 100], 40, 20), ["0,20 10,20 10,10 20,10", "30,0 40,0"]);
  assertEquals(seriesLines([null, null], 40, 20), []);
  // Values past the scale are drawn at its edge.
  assertEquals(seriesLines([150, -5], 20, 10), ["0,0 10,0 10,10 20,10"]);
  // Another top (temperatures up to 120 °C).
  assertEquals(seriesLines([60], 10, 12, 120), ["0,6 10,6"]);
});

Deno.test("history chart: a summary counts only buckets with a value; ranges are named", () => {
  assertEquals(seriesSummary([10, null, 30, null]), { mean: 20, max: 30, last: 30 });
  assertEquals(seriesSummary([null]), null);
  assertEquals([1, 6, 24, 168].map(rangeName), ["1 h", "6 h", "24 h", "7 days"]);
});
