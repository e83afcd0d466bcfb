/**
 * A streaming PNG decoder for thumbnails: the image's rows come out one at a time as 8-bit RGB
 * (alpha laid over a background colour), so a large image never sits in memory whole. Every
 * colour type and bit depth of the PNG standard is read; interlaced (Adam7) images are not
 * (they are rare among generated images) and are refused as unsupported.
 */

/** An image this decoder does not read (not a PNG, interlaced, too large, damaged). */
export class UnsupportedImage extends Error {
  override name = "UnsupportedImage";
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
}

/** An RGB colour, 0-255 each. */
export type Rgb = readonly [number, number, number];

/** The most pixels a thumbnail is made from (8192 × 8192). */
export const MAX_PIXELS = 8192 * 8192;

/** Compressed bytes inflated at a time (at most about 16 MiB out). */
const INFLATE_SLICE = 16 * 1024;

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

interface PngChunks {
  header: PngHeader;
  /** The palette as RGBA, 256 entries (colour type 3). */
  palette: Uint8Array | null;
  /** The compressed image data: every IDAT chunk, in order. */
  data: Uint8Array<ArrayBuffer>[];
}

/** Reads the chunks of a PNG file; throws UnsupportedImage for anything it cannot decode. */
function readChunks(bytes: Uint8Array<ArrayBuffer>): PngChunks {
  if (bytes.length < 8 || SIGNATURE.some((value, i) => bytes[i] !== value)) {
    throw new UnsupportedImage("not a PNG file");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const data: Uint8Array<ArrayBuffer>[] = [];
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length) throw new UnsupportedImage("the PNG file ends early");
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (body.length !== length) throw new UnsupportedImage("the PNG file ends early");
    at += 12 + length;
    if (type === "IHDR") header = readHeader(body);
    else if (type === "PLTE") palette = body;
    else if (type === "tRNS") transparency = body;
    else if (type === "IDAT") data.push(body);
    else if (type === "IEND") break;
  }
  if (header === null || data.length === 0) throw new UnsupportedImage("the PNG has no image");
  if (header.colorType !== 3) return { header, palette: null, data };
  if (palette === null) throw new UnsupportedImage("the PNG has no palette");
  return { header, palette: rgbaPalette(palette, transparency), data };
}

function readHeader(body: Uint8Array): PngHeader {
  if (body.length !== 13) throw new UnsupportedImage("the PNG header is damaged");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const header: PngHeader = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: body[8] ?? 0,
    colorType: body[9] ?? 0,
  };
  if (!DEPTHS[header.colorType]?.includes(header.bitDepth)) {
    throw new UnsupportedImage("the PNG header is damaged");
  }
  if (body[12] !== 0) throw new UnsupportedImage("interlaced PNG images are not read");
  if (header.width === 0 || header.height === 0) throw new UnsupportedImage("the PNG is empty");
  if (header.width * header.height > MAX_PIXELS) {
    throw new UnsupportedImage("the image is too large for a thumbnail");
  }
  return header;
}

/** The palette with each entry's alpha (tRNS), 256 RGBA entries. */
function rgbaPalette(palette: Uint8Array, transparency: Uint8Array | null): Uint8Array {
  const rgba = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) {
    rgba[i * 4] = palette[i * 3] ?? 0;
    rgba[i * 4 + 1] = palette[i * 3 + 1] ?? 0;
    rgba[i * 4 + 2] = palette[i * 3 + 2] ?? 0;
    rgba[i * 4 + 3] = transparency?.[i] ?? 255;
  }
  return rgba;
}

/** The header of the PNG `bytes`; throws UnsupportedImage for one this decoder cannot read. */
export function pngHeader(bytes: Uint8Array<ArrayBuffer>): PngHeader {
  return readChunks(bytes).header;
}

/**
 * Decodes the PNG `bytes` and calls `onRow` with each row as RGB (`width` × 3 bytes; the array is
 * reused for the next row). Alpha is laid over `background`. Returns the header.
 */
export async function decodePngRows(
  bytes: Uint8Array<ArrayBuffer>,
  onRow: (rgb: Uint8Array, y: number) => void,
  background: Rgb,
): Promise<PngHeader> {
  const { header, palette, data } = readChunks(bytes);
  const channels = CHANNELS[header.colorType] ?? 1;
  const bitsPerPixel = channels * header.bitDepth;
  const stride = Math.ceil((header.width * bitsPerPixel) / 8);
  const filterStep = Math.max(1, bitsPerPixel >> 3);
  const toRgb = rowConverter(header, palette, background);
  let previous = new Uint8Array(stride);
  let current = new Uint8Array(stride);
  const rgb = new Uint8Array(header.width * 3);
  let filter = -1;
  let filled = 0;
  let y = 0;

  const inflated = slices(data, INFLATE_SLICE).pipeThrough(new DecompressionStream("deflate"));
  try {
    for await (const chunk of inflated) {
      let at = 0;
      while (at < chunk.length && y < header.height) {
        if (filter < 0) {
          filter = chunk[at++] ?? 0;
          continue;
        }
        const taken = Math.min(stride - filled, chunk.length - at);
        current.set(chunk.subarray(at, at + taken), filled);
        filled += taken;
        at += taken;
        if (filled < stride) continue;
        unfilter(filter, current, previous, filterStep);
        toRgb(current, rgb);
        onRow(rgb, y);
        [previous, current] = [current, previous];
        filter = -1;
        filled = 0;
        y++;
      }
      // Every row is in: the rest of the data is never inflated.
      if (y === header.height) break;
    }
  } catch (error) {
    if (error instanceof UnsupportedImage) throw error;
    throw new UnsupportedImage(`the PNG data is damaged (${(error as Error).message})`);
  }
  if (y < header.height) throw new UnsupportedImage("the PNG data ends early");
  return header;
}

/**
 * The compressed data, handed to the inflater a slice at a time as it asks: one slice inflates
 * to at most about 1000 times its size, so data that would inflate far past the image (a "zip
 * bomb") is never produced, since reading stops after the last row.
 */
function slices(parts: Uint8Array<ArrayBuffer>[], size: number): ReadableStream<BufferSource> {
  let part = 0;
  let at = 0;
  return new ReadableStream<BufferSource>({
    pull(controller) {
      const current = parts[part];
      if (current === undefined) return controller.close();
      const slice = current.subarray(at, at + size);
      at += slice.length;
      if (at >= current.length) [part, at] = [part + 1, 0];
      controller.enqueue(slice);
    },
  }, { highWaterMark: 0 });
}

/** Undoes a row's filter in place (PNG filter types 0-4). */
function unfilter(type: number, row: Uint8Array, above: Uint8Array, step: number): void {
  const length = row.length;
  switch (type) {
    case 0:
      return;
    case 1:
      for (let i = step; i < length; i++) row[i] = (row[i] ?? 0) + (row[i - step] ?? 0);
      return;
    case 2:
      for (let i = 0; i < length; i++) row[i] = (row[i] ?? 0) + (above[i] ?? 0);
      return;
    case 3:
      for (let i = 0; i < length; i++) {
        const left = i >= step ? (row[i - step] ?? 0) : 0;
        row[i] = (row[i] ?? 0) + ((left + (above[i] ?? 0)) >> 1);
      }
      return;
    case 4:
      for (let i = 0; i < length; i++) {
        const left = i >= step ? (row[i - step] ?? 0) : 0;
        const upLeft = i >= step ? (above[i - step] ?? 0) : 0;
        row[i] = (row[i] ?? 0) + paeth(left, above[i] ?? 0, upLeft);
      }
      return;
    default:
      throw new UnsupportedImage(`the PNG data is damaged (filter type ${type})`);
  }
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const toLeft = Math.abs(estimate - left);
  const toUp = Math.abs(estimate - up);
  const toUpLeft = Math.abs(estimate - upLeft);
  if (toLeft <= toUp && toLeft <= toUpLeft) return left;
  return toUp <= toUpLeft ? up : upLeft;
}

/** Turns one unfiltered row of this image's format into 8-bit RGB. */
function rowConverter(
  header: PngHeader,
  palette: Uint8Array | null,
  background: Rgb,
): (row: Uint8Array, rgb: Uint8Array) => void {
  const { width, bitDepth, colorType } = header;
  const [backR, backG, backB] = background;
  const colors = palette ?? new Uint8Array(256 * 4);
  const over = (value: number, alpha: number, back: number) =>
    (value * alpha + back * (255 - alpha) + 127) / 255 | 0;
  // Sample i of a row of 8- or 16-bit samples, as 8 bits (16 bits rounded, as v / 257).
  const at = bitDepth === 16
    ? (row: Uint8Array, i: number) =>
      ((((row[i * 2] ?? 0) << 8) | (row[i * 2 + 1] ?? 0)) + 128) / 257 | 0
    : (row: Uint8Array, i: number) => (row[i] ?? 0);
  if (bitDepth < 8) {
    const perByte = 8 / bitDepth;
    const mask = (1 << bitDepth) - 1;
    const scale = 255 / mask;
    return (row, rgb) => {
      for (let x = 0; x < width; x++) {
        const byte = row[(x / perByte) | 0] ?? 0;
        const value = (byte >> (8 - bitDepth * ((x % perByte) + 1))) & mask;
        if (colorType === 3) {
          const entry = value * 4;
          const alpha = colors[entry + 3] ?? 0;
          rgb[x * 3] = over(colors[entry] ?? 0, alpha, backR);
          rgb[x * 3 + 1] = over(colors[entry + 1] ?? 0, alpha, backG);
          rgb[x * 3 + 2] = over(colors[entry + 2] ?? 0, alpha, backB);
        } else {
          const grey = Math.round(value * scale);
          rgb[x * 3] = rgb[x * 3 + 1] = rgb[x * 3 + 2] = grey;
        }
      }
    };
  }
  switch (colorType) {
    case 0:
      return (row, rgb) => {
        for (let x = 0; x < width; x++) {
          rgb[x * 3] = rgb[x * 3 + 1] = rgb[x * 3 + 2] = at(row, x);
        }
      };
    case 2:
      return (row, rgb) => {
        for (let x = 0; x < width; x++) {
          rgb[x * 3] = at(row, x * 3);
          rgb[x * 3 + 1] = at(row, x * 3 + 1);
          rgb[x * 3 + 2] = at(row, x * 3 + 2);
        }
      };
    case 3:
      return (row, rgb) => {
        for (let x = 0; x < width; x++) {
          const entry = (row[x] ?? 0) * 4;
          const alpha = colors[entry + 3] ?? 0;
          rgb[x * 3] = over(colors[entry] ?? 0, alpha, backR);
          rgb[x * 3 + 1] = over(colors[entry + 1] ?? 0, alpha, backG);
          rgb[x * 3 + 2] = over(colors[entry + 2] ?? 0, alpha, backB);
        }
      };
    case 4:
      return (row, rgb) => {
        for (let x = 0; x < width; x++) {
          const grey = at(row, x * 2);
          const alpha = at(row, x * 2 + 1);
          rgb[x * 3] = over(grey, alpha, backR);
          rgb[x * 3 + 1] = over(grey, alpha, backG);
          rgb[x * 3 + 2] = over(grey, alpha, backB);
        }
      };
    default:
      return (row, rgb) => {
        for (let x = 0; x < width; x++) {
          const alpha = at(row, x * 4 + 3);
          rgb[x * 3] = over(at(row, x * 4), alpha, backR);
          rgb[x * 3 + 1] = over(at(row, x * 4 + 1), alpha, backG);
          rgb[x * 3 + 2] = over(at(row, x * 4 + 2), alpha, backB);
        }
      };
  }
}
