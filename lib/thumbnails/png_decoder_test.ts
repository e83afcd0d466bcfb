import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { decodePngRows, MAX_PIXELS, type Rgb, UnsupportedImage } from "./png_decoder.ts";
import { encodePng, type PngSpec } from "./test_support.ts";

const TESTDATA = new URL("./testdata/", import.meta.url);
const BACKGROUND: Rgb = [10, 200, 30];

async function decodeAll(bytes: Uint8Array<ArrayBuffer>, background = BACKGROUND) {
  const rows: Uint8Array[] = [];
  const header = await decodePngRows(bytes, (rgb, y) => (rows[y] = rgb.slice()), background);
  const rgb = new Uint8Array(header.width * header.height * 3);
  rows.forEach((row, y) => rgb.set(row, y * header.width * 3));
  return { header, rgb };
}

/** ImageMagick's own decoding of a fixture (RGBA), laid over the background. */
async function expectedRgb(name: string): Promise<Uint8Array> {
  const rgba = await Deno.readFile(new URL(`${name}.rgba`, TESTDATA));
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0; i < rgba.length / 4; i++) {
    const alpha = rgba[i * 4 + 3] ?? 0;
    for (let c = 0; c < 3; c++) {
      rgb[i * 3 + c] = Math.round(
        ((rgba[i * 4 + c] ?? 0) * alpha + (BACKGROUND[c] ?? 0) * (255 - alpha)) / 255,
      );
    }
  }
  return rgb;
}

const FIXTURES = [
  "gray1", // 1-bit grey
  "gray2",
  "gray4",
  "gray8",
  "graya8", // grey + alpha
  "graya16",
  "palette4", // 4-bit palette
  "palette8",
  "palette_alpha", // palette with a tRNS chunk
  "rgb8",
  "rgb16",
  "rgba8",
  "rgba16",
];

Deno.test("png: every colour type and bit depth decodes as ImageMagick decodes it (files ImageMagick wrote)", async () => {
  for (const name of FIXTURES) {
    const { header, rgb } = await decodeAll(await Deno.readFile(new URL(`${name}.png`, TESTDATA)));
    assertEquals([header.width, header.height], [61, 37], name);
    const expected = await expectedRgb(name);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs((rgb[i] ?? 0) - (expected[i] ?? 0)));
    }
    // Rounding alone: 1. With 16-bit samples under alpha, ImageMagick's 8-bit export (the
    // reference) rounds the sample and the alpha apart before they are laid over: 2.
    const tolerance = name.endsWith("16") ? 2 : 1;
    assert(worst <= tolerance, `${name}: a channel differs by ${worst}`);
  }
});

Deno.test("png: each of the five row filters is undone exactly, with 1, 3 and 6 bytes per pixel", async () => {
  const width = 23;
  const height = 15; // three rows of each filter type
  const value = (x: number, y: number, c: number) =>
    (x * 37 + y * 91 + c * 53 + ((x * y) % 7) * 11) & 0xff;
  const shapes: { colorType: 0 | 2; bitDepth: 8 | 16; channels: number }[] = [
    { colorType: 0, bitDepth: 8, channels: 1 },
    { colorType: 2, bitDepth: 8, channels: 3 },
    { colorType: 2, bitDepth: 16, channels: 3 },
  ];
  for (const shape of shapes) {
    const wide = shape.bitDepth / 8;
    const rows = Array.from({ length: height }, (_, y) => {
      const row = new Uint8Array(width * shape.channels * wide);
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < shape.channels; c++) {
          row[(x * shape.channels + c) * wide] = value(x, y, c);
          if (wide === 2) row[(x * shape.channels + c) * 2 + 1] = value(y, x, c); // the low byte
        }
      }
      return row;
    });
    const spec: PngSpec = {
      width,
      height,
      colorType: shape.colorType,
      bitDepth: shape.bitDepth,
      rows,
    };
    const { rgb } = await decodeAll(await encodePng(spec));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) {
          const channel = shape.channels === 1 ? 0 : c;
          // 16 bits are scaled to 8 as v / 257, rounded.
          const expected = wide === 1
            ? value(x, y, channel)
            : Math.round(((value(x, y, channel) << 8) | value(y, x, channel)) / 257);
          assertEquals(
            rgb[(y * width + x) * 3 + c],
            expected,
            `${JSON.stringify(shape)} at ${x},${y},${c}`,
          );
        }
      }
    }
  }
});

Deno.test("png: 1- and 2-bit palettes with odd widths (the last byte of a row partly used)", async () => {
  const palette = new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
  for (const bitDepth of [1, 2] as const) {
    const width = 13;
    const perByte = 8 / bitDepth;
    const indexOf = (x: number, y: number) => (x + y) % (1 << bitDepth);
    const rows = Array.from({ length: 5 }, (_, y) => {
      const row = new Uint8Array(Math.ceil(width / perByte));
      for (let x = 0; x < width; x++) {
        const at = (x / perByte) | 0;
        row[at] = (row[at] ?? 0) | (indexOf(x, y) << (8 - bitDepth * ((x % perByte) + 1)));
      }
      return row;
    });
    const { rgb } = await decodeAll(
      await encodePng({ width, height: 5, colorType: 3, bitDepth, rows, palette }),
    );
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < width; x++) {
        const entry = indexOf(x, y) * 3;
        assertEquals(
          Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)),
          Array.from(palette.subarray(entry, entry + 3)),
          `${bitDepth}-bit at ${x},${y}`,
        );
      }
    }
  }
});

Deno.test("png: what is not read is refused as unsupported, never half-decoded", async () => {
  const interlaced = await Deno.readFile(new URL("interlaced.png", TESTDATA));
  await refused(interlaced, /interlaced/);
  await refused(new TextEncoder().encode("GIF89a...."), /not a PNG/);

  const whole = await Deno.readFile(new URL("rgb8.png", TESTDATA));
  // Cut in the middle of the image data (a file an app is still writing).
  await refused(whole.slice(0, whole.length / 2), /ends early/);

  // A header that claims more pixels than a thumbnail is made from fails before any inflating.
  const huge = whole.slice();
  new DataView(huge.buffer).setUint32(16, Math.ceil(MAX_PIXELS / 37) + 1);
  await refused(huge, /too large/);

  // Image data that does not inflate.
  const garbled = whole.slice();
  const idat = findChunk(garbled, "IDAT");
  garbled.fill(0x55, idat + 10, idat + 60);
  await refused(garbled, /damaged/);
});

/** Decoding `bytes` fails with UnsupportedImage, its message matching `reason`. */
async function refused(bytes: Uint8Array<ArrayBuffer>, reason: RegExp): Promise<void> {
  const error = await decodeAll(bytes).then(() => null, (error: unknown) => error);
  assert(error instanceof UnsupportedImage, `expected UnsupportedImage, got ${error}`);
  assertMatch(error.message, reason);
}

function findChunk(bytes: Uint8Array, type: string): number {
  for (let at = 8; at < bytes.length;) {
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === type) return at + 8;
    at += 12 + length;
  }
  throw new Error(`no ${type} chunk`);
}

Deno.test("png: the image data is not inflated past the image's last row", async () => {
  // A 4 × 2 grey image whose zlib data goes on past its rows with 256 KiB that do not compress,
  // and ends with a wrong checksum. Inflating to the end would meet the bad checksum (and a
  // "zip bomb" would inflate to gigabytes there); stopping after the last row never does.
  const rows = [new Uint8Array(5), new Uint8Array(5)]; // filter byte + 4 samples
  rows[0]?.fill(10, 1);
  rows[1]?.fill(20, 1);
  const trailing = new Uint8Array(256 * 1024);
  for (let i = 0; i < trailing.length; i += 65536) {
    crypto.getRandomValues(trailing.subarray(i, i + 65536));
  }
  const data = new Blob([...rows, trailing] as BlobPart[]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  const zlib = new Uint8Array(await new Response(data).arrayBuffer());
  zlib[zlib.length - 1] = (zlib[zlib.length - 1] ?? 0) ^ 0xff; // the Adler-32 checksum
  const png = await encodePng({
    width: 4,
    height: 2,
    colorType: 0,
    bitDepth: 8,
    rows: [],
    zlibData: zlib,
  });

  const { rgb } = await decodeAll(png);
  assertEquals(Array.from(rgb), [...new Array(12).fill(10), ...new Array(12).fill(20)]);
});
