import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { encodeJpeg, HUFFMAN_TABLES } from "./jpeg_encoder.ts";
import { djpeg, jpegFrame } from "./test_support.ts";

function image(width: number, height: number, color: (x: number, y: number) => number[]) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgb.set(color(x, y), (y * width + x) * 3);
  }
  return rgb;
}

/** Mean and largest difference per channel between two RGB images. */
function difference(a: Uint8Array, b: Uint8Array): { mean: number; worst: number } {
  let sum = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    sum += d;
    worst = Math.max(worst, d);
  }
  return { mean: sum / a.length, worst };
}

Deno.test("jpeg: libjpeg-turbo decodes it to the image, at a size that is not a multiple of 8", async () => {
  const width = 45;
  const height = 29;
  const smooth = image(width, height, (x, y) => [x * 5, y * 8, 255 - x * 3 - y * 2]);
  const jpeg = encodeJpeg(smooth, width, height, 90);
  assertEquals(jpegFrame(jpeg), { width, height, components: 3 });
  const decoded = await djpeg(jpeg);
  assertEquals([decoded.width, decoded.height], [width, height]);
  const { mean, worst } = difference(decoded.rgb, smooth);
  assert(mean < 2 && worst < 12, `mean ${mean.toFixed(2)}, worst ${worst}`);

  // Flat colours, the primaries among them, come back within rounding.
  for (
    const color of [[0, 0, 0], [255, 255, 255], [255, 0, 0], [0, 255, 0], [0, 0, 255], [31, 35, 42]]
  ) {
    const flat = image(16, 8, () => color);
    const back = await djpeg(encodeJpeg(flat, 16, 8, 80));
    assert(
      difference(back.rgb, flat).worst <= 3,
      `${color}: worst ${difference(back.rgb, flat).worst}`,
    );
  }
});

Deno.test("jpeg: sharp detail survives at the thumbnails' quality, and a lower quality is smaller", async () => {
  const width = 64;
  const height = 48;
  // Stripes and a checkerboard: high frequencies, long zero runs, large AC values (0xFF bytes
  // in the entropy data get their stuffed 0x00).
  const busy = image(
    width,
    height,
    (x, y) =>
      y < 24
        ? (x % 8 < 4 ? [250, 250, 250] : [5, 5, 5])
        : ((x + y) % 2 ? [200, 30, 30] : [30, 30, 200]),
  );
  const at80 = encodeJpeg(busy, width, height, 80);
  const decoded = await djpeg(at80);
  const { mean } = difference(decoded.rgb, busy);
  assert(mean < 8, `mean ${mean.toFixed(2)}`); // 4.1 when written
  assert(encodeJpeg(busy, width, height, 30).length < at80.length, "quality 30 is smaller than 80");
});

Deno.test("jpeg: the Huffman tables are complete prefix codes over every baseline symbol", () => {
  const { dc, ac } = HUFFMAN_TABLES;
  assertEquals(dc.counts.reduce((a, b) => a + b), dc.symbols.length);
  assertEquals([...dc.symbols].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assertEquals(ac.counts.reduce((a, b) => a + b), ac.symbols.length);
  // End of block, sixteen zeros, and every run 0-15 × size 1-10.
  const expected = [0x00, 0xf0];
  for (let run = 0; run < 16; run++) {
    for (let size = 1; size <= 10; size++) expected.push((run << 4) | size);
  }
  assertEquals([...ac.symbols].sort((a, b) => a - b), expected.sort((a, b) => a - b));
  for (const { counts } of [dc, ac]) {
    // Kraft sum below 1: no code is all ones, as T.81 requires.
    const kraft = counts.reduce((sum, count, i) => sum + count / 2 ** (i + 1), 0);
    assert(kraft < 1, `Kraft sum ${kraft}`);
  }
});

Deno.test("jpeg: a size out of range or pixels that do not match are refused", () => {
  const cases: [number, number, number][] = [[0, 4, 0], [70_000, 1, 210_000], [4, 4, 47]];
  for (const [w, h, n] of cases) {
    let error: unknown = null;
    try {
      encodeJpeg(new Uint8Array(n), w, h);
    } catch (caught) {
      error = caught;
    }
    assert(error instanceof RangeError, `${w}×${h} with ${n} bytes`);
  }
});
