import { assertEquals } from "../../tests/helpers/assert.ts";
import { formatBytes, formatPercent, percentOf } from "./stats.ts";

Deno.test("formatBytes uses 1024-based units with two decimals, like the Python AiKore", () => {
  assertEquals(formatBytes(512), "512 B");
  assertEquals(formatBytes(1536), "1.50 KB");
  assertEquals(formatBytes(80 * 1024 ** 3), "80.00 GB");
  assertEquals(formatBytes(3 * 1024 ** 4, 1), "3.0 TB");
  assertEquals(formatBytes(Number.NaN), "–");
});

Deno.test("formatPercent and percentOf round and handle missing values", () => {
  assertEquals(formatPercent(12.345), "12.3%");
  assertEquals(formatPercent(null), "–");
  assertEquals(percentOf(1, 3), 33.3);
  assertEquals(percentOf(1, 3, 2), 33.33);
  assertEquals(percentOf(5, 0), 0);
});
