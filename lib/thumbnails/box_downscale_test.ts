import { assertEquals } from "../../tests/helpers/assert.ts";
import { BoxDownscale, fittedSize } from "./box_downscale.ts";

Deno.test("downscale: the longer side is fitted, the shape kept, never enlarged", () => {
  assertEquals(fittedSize(1024, 768, 320), { width: 320, height: 240 });
  assertEquals(fittedSize(768, 1024, 320), { width: 240, height: 320 });
  assertEquals(fittedSize(200, 100, 320), { width: 200, height: 100 });
  assertEquals(fittedSize(10_000, 3, 320), { width: 320, height: 1 });
});

Deno.test("downscale: each target pixel is the mean of its box of source pixels", () => {
  // 6×4 → 3×2: boxes of 2×2. Source value = x + 10·y in red, 100 in green, 7·x in blue.
  const shrink = new BoxDownscale({ width: 6, height: 4 }, 3, 2);
  for (let y = 0; y < 4; y++) {
    const row = new Uint8Array(18);
    for (let x = 0; x < 6; x++) row.set([x + 10 * y, 100, 7 * x], x * 3);
    shrink.addRow(row, y);
  }
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b) / xs.length);
  const expected: number[] = [];
  for (let ty = 0; ty < 2; ty++) {
    for (let tx = 0; tx < 3; tx++) {
      const xs = [2 * tx, 2 * tx + 1];
      const ys = [2 * ty, 2 * ty + 1];
      expected.push(
        mean(xs.flatMap((x) => ys.map((y) => x + 10 * y))),
        100,
        mean(xs.flatMap((x) => ys.map(() => 7 * x))),
      );
    }
  }
  assertEquals(Array.from(shrink.pixels), expected);
});

Deno.test("downscale: uneven boxes (7 → 3) cover every source pixel once", () => {
  const shrink = new BoxDownscale({ width: 7, height: 7 }, 3, 3);
  // A white image stays white whatever the box sizes: the counts match the sums.
  for (let y = 0; y < 7; y++) shrink.addRow(new Uint8Array(21).fill(255), y);
  assertEquals(Array.from(shrink.pixels), new Array(27).fill(255));
});
