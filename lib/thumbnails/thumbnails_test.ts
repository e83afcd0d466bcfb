import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { createLogger } from "../log/mod.ts";
import { Thumbnails, type ThumbnailSource } from "./thumbnails.ts";
import { djpeg, jpegFrame, rgbPng } from "./test_support.ts";

/** Writes `bytes` (if given) as `name` in `dir` and opens it as the folder browser does. */
async function source(
  dir: string,
  name: string,
  bytes: Uint8Array | null,
): Promise<ThumbnailSource> {
  const path = `${dir}/${name}`;
  if (bytes) await Deno.writeFile(path, bytes);
  const file = await Deno.open(path);
  const info = await file.stat();
  return {
    file,
    size: info.size,
    name,
    modifiedMs: info.mtime?.getTime() ?? null,
    key: `outputs/${name}`,
  };
}

async function withThumbnails(
  test: (
    thumbnails: Thumbnails,
    dirs: { files: string; cache: string },
    logs: string[],
  ) => Promise<void>,
  options: { cacheBytes?: number } = {},
): Promise<void> {
  const files = await Deno.makeTempDir();
  const cache = `${await Deno.makeTempDir()}/thumbnails`;
  const logs: string[] = [];
  const thumbnails = new Thumbnails({
    cacheDir: cache,
    logger: createLogger("info", "test", (line) => logs.push(line)),
    ...options,
  });
  try {
    await test(thumbnails, { files, cache }, logs);
  } finally {
    thumbnails.close();
    await Deno.remove(files, { recursive: true });
    await Deno.remove(cache.replace(/\/thumbnails$/, ""), { recursive: true });
  }
}

/**
 * A 1000 × 600 image: left half red, right half blue, a white stripe across the middle, with a
 * fine grain (as a generated picture has) so that the PNG is as large as a real one.
 */
const splitPng = () =>
  rgbPng(1000, 600, (x, y) => {
    const hash = Math.imul(Math.imul(x + 1, 0x9e3779b1) ^ Math.imul(y + 1, 0x85ebca77), 0x2c1b3c6d);
    const grain = (hash ^ (hash >>> 15)) >>> 28; // 0-15
    const base = y >= 280 && y < 320 ? [240, 240, 240] : x < 500 ? [220, 20, 20] : [20, 20, 220];
    return [(base[0] ?? 0) + grain, (base[1] ?? 0) + grain, (base[2] ?? 0) + grain];
  });

Deno.test("thumbnails: a large PNG becomes a small JPEG of the same picture, kept and reused", async () => {
  await withThumbnails(async (thumbnails, { files, cache }) => {
    const png = await splitPng();
    const first = await source(files, "big.png", png);
    const made = await thumbnails.of(first);
    first.file.close();
    assert(made !== null);
    assertEquals(made.from, "made");
    assertEquals(jpegFrame(made.jpeg), { width: 320, height: 192, components: 3 });
    assert(made.jpeg.length * 20 < png.length, `${made.jpeg.length} bytes from ${png.length}`);
    // The picture: red on the left, blue on the right, white in the middle (libjpeg decodes it).
    const { rgb } = await djpeg(made.jpeg);
    const pixel = (x: number, y: number) =>
      Array.from(rgb.subarray((y * 320 + x) * 3, (y * 320 + x) * 3 + 3));
    const near = (got: number[], want: number[]) =>
      got.every((v, i) => Math.abs(v - (want[i] ?? 0)) <= 12);
    assert(near(pixel(40, 40), [228, 28, 28]), `left ${pixel(40, 40)}`);
    assert(near(pixel(280, 160), [28, 28, 228]), `right ${pixel(280, 160)}`);
    assert(near(pixel(100, 96), [248, 248, 248]), `stripe ${pixel(100, 96)}`);

    const again = await source(files, "big.png", null);
    const cached = await thumbnails.of(again);
    again.file.close();
    assertEquals(cached?.from, "cache");
    assertEquals(cached?.jpeg, made.jpeg);
    const kept = [...Deno.readDirSync(cache)].map((entry) => entry.name);
    assertEquals(kept.length, 1);
    assertMatch(kept[0] ?? "", /^[0-9a-f]{64}\.jpg$/);

    // The file rewritten (another picture, another size): a new thumbnail, not the kept one.
    const other = await source(files, "big.png", await rgbPng(400, 400, () => [0, 200, 0]));
    const remade = await thumbnails.of(other);
    other.file.close();
    assertEquals(remade?.from, "made");
    assert(remade !== null);
    assertEquals(jpegFrame(remade.jpeg), { width: 320, height: 320, components: 3 });
  });
});

Deno.test("thumbnails: none for what is not a readable PNG (the original is sent instead)", async () => {
  await withThumbnails(async (thumbnails, { files }, logs) => {
    const jpeg = await source(files, "photo.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    assertEquals(await thumbnails.of(jpeg), null);
    jpeg.file.close();
    const interlaced = await Deno.readFile(new URL("./testdata/interlaced.png", import.meta.url));
    for (let i = 0; i < 2; i++) {
      const opened = await source(files, "interlaced.png", interlaced);
      assertEquals(await thumbnails.of(opened), null);
      opened.file.close();
    }
    // A PNG still being written (cut short): none now, and nothing kept that would hide the
    // finished picture later.
    const png = await splitPng();
    const partial = await source(files, "writing.png", png.slice(0, png.length / 3));
    assertEquals(await thumbnails.of(partial), null);
    partial.file.close();
    const finished = await source(files, "writing.png", png);
    assertEquals((await thumbnails.of(finished))?.from, "made");
    finished.file.close();
    assertEquals(logs.filter((line) => line.includes("ERROR")), []);
  });
});

Deno.test("thumbnails: asked twice at once, one is made; four different ones all come back", async () => {
  await withThumbnails(async (thumbnails, { files }) => {
    const png = await splitPng();
    const a = await source(files, "a.png", png);
    const b = await source(files, "a.png", png);
    const [one, two] = await Promise.all([thumbnails.of(a), thumbnails.of(b)]);
    a.file.close();
    b.file.close();
    assertEquals(one?.from, "made");
    assertEquals(two, one);

    const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]] as const;
    const sources = await Promise.all(
      colours.map(async (colour, i) =>
        source(files, `c${i}.png`, await rgbPng(500, 300, () => colour))
      ),
    );
    const results = await Promise.all(sources.map((s) => thumbnails.of(s)));
    for (const s of sources) s.file.close();
    for (const [i, result] of results.entries()) {
      assert(result !== null && result !== undefined);
      const { rgb } = await djpeg(result.jpeg);
      const got = Array.from(rgb.subarray(0, 3));
      const want = colours[i] ?? [0, 0, 0];
      assert(got.every((v, c) => Math.abs(v - (want[c] ?? 0)) <= 3), `c${i}: ${got}`);
    }
  });
});

Deno.test("thumbnails: the cache keeps to its size; a cache that cannot be written costs only the reuse", async () => {
  await withThumbnails(async (thumbnails, { files, cache }) => {
    for (let i = 0; i < 8; i++) {
      const noisy = await rgbPng(
        320,
        320,
        (x, y) => [(x * 7 + i * 31) & 255, (y * 13) & 255, (x * y + i) & 255],
      );
      const opened = await source(files, `n${i}.png`, noisy);
      assertEquals((await thumbnails.of(opened))?.from, "made");
      opened.file.close();
    }
    let used = 0;
    for (const entry of Deno.readDirSync(cache)) {
      used += Deno.statSync(`${cache}/${entry.name}`).size;
    }
    assert(used <= 60_000, `the cache holds ${used} bytes`);
  }, { cacheBytes: 60_000 });

  await withThumbnails(async (thumbnails, { files, cache }, logs) => {
    // Where the cache folder should be, a file: nothing can be kept.
    await Deno.writeTextFile(cache, "in the way");
    for (let i = 0; i < 2; i++) {
      const opened = await source(files, "x.png", await splitPng());
      const result = await thumbnails.of(opened);
      opened.file.close();
      assertEquals(result?.from, "made");
      assert(result !== null);
      assertEquals(jpegFrame(result.jpeg).width, 320);
    }
    const warnings = logs.filter((line) => line.includes("thumbnails cannot be kept"));
    assertEquals(warnings.length, 1, logs.join("\n"));
    await Deno.remove(cache);
  });
});
