/** PNG files for the thumbnail tests: written with a chosen filter per row, so each is tested. */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters one row with PNG filter `type` (0-4); `step` is the bytes per pixel (at least 1). */
function filterRow(type: number, row: Uint8Array, above: Uint8Array, step: number): Uint8Array {
  const out = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const a = i >= step ? (row[i - step] ?? 0) : 0;
    const b = above[i] ?? 0;
    const c = i >= step ? (above[i - step] ?? 0) : 0;
    const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type] ?? 0;
    out[i] = ((row[i] ?? 0) - predictor) & 0xff;
  }
  return out;
}

export interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  /** Each row's bytes, unfiltered, packed as the PNG standard packs them. */
  rows: Uint8Array[];
  /** The filter type of row y (default: y mod 5, every type in turn). */
  filterOf?: (y: number) => number;
  /** RGB triples (colour type 3). */
  palette?: Uint8Array;
  /** The image data as given (zlib, filters included), instead of `rows` compressed. */
  zlibData?: Uint8Array;
}

/** A PNG file of `spec`. */
export async function encodePng(spec: PngSpec): Promise<Uint8Array<ArrayBuffer>> {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[spec.colorType];
  const step = Math.max(1, (channels * spec.bitDepth) >> 3);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  header[8] = spec.bitDepth;
  header[9] = spec.colorType;
  const filterOf = spec.filterOf ?? ((y: number) => y % 5);
  const raw: number[] = [];
  let above: Uint8Array = new Uint8Array(spec.rows[0]?.length ?? 0);
  spec.rows.forEach((row, y) => {
    const type = filterOf(y);
    raw.push(type, ...filterRow(type, row, above, step));
    above = row;
  });
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    ...(spec.palette ? [chunk("PLTE", spec.palette)] : []),
    chunk("IDAT", spec.zlibData ?? await deflate(new Uint8Array(raw))),
    chunk("IEND", new Uint8Array()),
  ];
  return new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
}

/** An 8-bit RGB PNG whose pixel (x, y) is `color(x, y)`. */
export function rgbPng(
  width: number,
  height: number,
  color: (x: number, y: number) => readonly [number, number, number],
): Promise<Uint8Array<ArrayBuffer>> {
  const rows = Array.from({ length: height }, (_, y) => {
    const row = new Uint8Array(width * 3);
    for (let x = 0; x < width; x++) row.set(color(x, y), x * 3);
    return row;
  });
  return encodePng({ width, height, colorType: 2, bitDepth: 8, rows });
}

/** The width, height and component count in a JPEG's SOF0 segment. */
export function jpegFrame(jpeg: Uint8Array): { width: number; height: number; components: number } {
  for (let at = 2; at + 9 < jpeg.length;) {
    if (jpeg[at] !== 0xff) throw new Error(`no marker at byte ${at}`);
    const marker = jpeg[at + 1] ?? 0;
    const length = ((jpeg[at + 2] ?? 0) << 8) | (jpeg[at + 3] ?? 0);
    if (marker === 0xc0) {
      return {
        height: ((jpeg[at + 5] ?? 0) << 8) | (jpeg[at + 6] ?? 0),
        width: ((jpeg[at + 7] ?? 0) << 8) | (jpeg[at + 8] ?? 0),
        components: jpeg[at + 9] ?? 0,
      };
    }
    at += 2 + length;
  }
  throw new Error("no SOF0 segment");
}

/**
 * Decodes a JPEG with libjpeg-turbo's `djpeg` (an independent decoder): RGB pixels and size.
 * The suite's setup (.ci/run) installs it (Debian: libjpeg-turbo-progs).
 */
export async function djpeg(
  jpeg: Uint8Array,
): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("djpeg", {
      args: ["-pnm"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    })
      .spawn();
  } catch (error) {
    throw new Error(`djpeg is needed (Debian: apt-get install libjpeg-turbo-progs): ${error}`);
  }
  const writer = child.stdin.getWriter();
  await writer.write(jpeg);
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`djpeg failed: ${new TextDecoder().decode(stderr)}`);
  const text = new TextDecoder("latin1").decode(stdout.subarray(0, 64));
  const match = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(text);
  if (!match) throw new Error(`djpeg wrote no PPM: ${text}`);
  const width = Number(match[1]);
  const height = Number(match[2]);
  return { width, height, rgb: stdout.subarray(match[0].length) };
}
