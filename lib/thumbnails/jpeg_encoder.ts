/**
 * A baseline JPEG (JFIF) encoder for thumbnails: YCbCr without chroma subsampling, the example
 * quantization tables of the JPEG standard (ITU-T T.81, Annex K) scaled to a quality, and its
 * example Huffman tables for luminance, used for every component.
 */

/** Annex K.1: the example luminance and chrominance quantization tables, in row order. */
// deno-fmt-ignore
const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61,
  12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77,
  24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
// deno-fmt-ignore
const CHROMA_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99,
  18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99,
  ...new Array<number>(32).fill(99),
];

/** Annex K.3: code counts per length (1-16) and the symbols, for DC and AC luminance. */
const DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_COUNTS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
// deno-fmt-ignore
const AC_SYMBOLS = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
  0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
  0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
  0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
  0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
  0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
];
/** The Huffman tables as written (exported for the tests of their shape). */
export const HUFFMAN_TABLES = {
  dc: { counts: DC_COUNTS, symbols: DC_SYMBOLS },
  ac: { counts: AC_COUNTS, symbols: AC_SYMBOLS },
};

/** Position k of the zig-zag scan → index in row order. */
const ZIGZAG = zigzagOrder();

function zigzagOrder(): Uint8Array {
  const order = new Uint8Array(64);
  let k = 0;
  for (let sum = 0; sum < 15; sum++) {
    // Odd diagonals run down-left (row grows), even ones up-right.
    const first = Math.max(0, sum - 7);
    const last = Math.min(7, sum);
    for (let i = first; i <= last; i++) {
      const row = sum % 2 === 1 ? i : sum - i;
      order[k++] = row * 8 + (sum - row);
    }
  }
  return order;
}

/** A table scaled to a quality (1-100) as the IJG library does, in zig-zag order. */
function scaledTable(base: readonly number[], quality: number): Uint8Array {
  const scale = quality < 50 ? 5000 / quality : 200 - quality * 2;
  const table = new Uint8Array(64);
  for (let k = 0; k < 64; k++) {
    const value = Math.floor(((base[ZIGZAG[k] ?? 0] ?? 0) * scale + 50) / 100);
    table[k] = Math.min(255, Math.max(1, value));
  }
  return table;
}

/** Code and length of each symbol, from a table's counts per length. */
function huffmanCodes(counts: readonly number[], symbols: readonly number[]) {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let next = 0;
  let at = 0;
  for (let bits = 1; bits <= 16; bits++) {
    for (let i = 0; i < (counts[bits - 1] ?? 0); i++) {
      const symbol = symbols[at++] ?? 0;
      code[symbol] = next++;
      length[symbol] = bits;
    }
    next <<= 1;
  }
  return { code, length };
}

const DC_CODES = huffmanCodes(DC_COUNTS, DC_SYMBOLS);
const AC_CODES = huffmanCodes(AC_COUNTS, AC_SYMBOLS);

/** cos((2x + 1)uπ/16) × C(u)/2, for the 8-point DCT. */
const DCT_BASIS = (() => {
  const basis = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    const norm = u === 0 ? Math.SQRT1_2 / 2 : 0.5;
    for (let x = 0; x < 8; x++) {
      basis[u * 8 + x] = norm * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
    }
  }
  return basis;
})();

/** The forward DCT's scratch space (after its first pass). */
const DCT_ROWS = new Float64Array(64);

/** Writes bits most significant first, with a 0x00 after each 0xFF byte of entropy data. */
class BitWriter {
  #bytes = new Uint8Array(4096);
  #length = 0;
  #accumulator = 0;
  #bits = 0;

  byte(value: number): void {
    if (this.#length === this.#bytes.length) {
      const larger = new Uint8Array(this.#bytes.length * 2);
      larger.set(this.#bytes);
      this.#bytes = larger;
    }
    this.#bytes[this.#length++] = value;
  }

  bytes(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.byte(values[i] ?? 0);
  }

  /** A marker segment: FF, marker, length, body. */
  segment(marker: number, body: ArrayLike<number>): void {
    this.bytes([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
    this.bytes(body);
  }

  bits(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.#accumulator = (this.#accumulator << 1) | ((value >> i) & 1);
      if (++this.#bits === 8) {
        this.byte(this.#accumulator);
        if (this.#accumulator === 0xff) this.byte(0);
        this.#accumulator = 0;
        this.#bits = 0;
      }
    }
  }

  /** Pads the last byte with 1 bits. */
  flushBits(): void {
    if (this.#bits > 0) this.bits((1 << (8 - this.#bits)) - 1, 8 - this.#bits);
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.#bytes.slice(0, this.#length);
  }
}

/** Bits needed for |value| (the "size" category of T.81). */
function category(value: number): number {
  let magnitude = Math.abs(value);
  let bits = 0;
  while (magnitude > 0) {
    bits++;
    magnitude >>= 1;
  }
  return bits;
}

/** The extra bits of a coefficient of size `size`: negative values as one's complement. */
const extraBits = (value: number, size: number) => (value < 0 ? value + (1 << size) - 1 : value);

/**
 * Encodes `rgb` (`width` × `height` × 3 bytes) as a baseline JPEG of `quality` (1-100).
 * Blocks past the right or bottom edge repeat the edge pixels.
 */
export function encodeJpeg(
  rgb: Uint8Array,
  width: number,
  height: number,
  quality = 80,
): Uint8Array<ArrayBuffer> {
  if (width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new RangeError(`a JPEG is 1 to 65535 pixels a side, not ${width} × ${height}`);
  }
  if (rgb.length !== width * height * 3) throw new RangeError("the pixels do not match the size");
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const tables = [scaledTable(LUMA_QUANT, q), scaledTable(CHROMA_QUANT, q)] as const;
  const out = new BitWriter();
  out.bytes([0xff, 0xd8]);
  out.segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  out.segment(0xdb, [0, ...tables[0], 1, ...tables[1]]);
  out.segment(0xc0, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    ...[1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1],
  ]);
  out.segment(0xc4, [0x00, ...DC_COUNTS, ...DC_SYMBOLS, 0x10, ...AC_COUNTS, ...AC_SYMBOLS]);
  out.segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);

  const planes: Planes = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  const coefficients = new Float64Array(64);
  const quantized = new Int32Array(64);
  const previousDc = [0, 0, 0];
  for (let top = 0; top < height; top += 8) {
    for (let left = 0; left < width; left += 8) {
      loadBlock(rgb, width, height, left, top, planes);
      for (const [c, plane] of planes.entries()) {
        forwardDct(plane, coefficients);
        const table = tables[c === 0 ? 0 : 1];
        for (let k = 0; k < 64; k++) {
          quantized[k] = Math.round((coefficients[ZIGZAG[k] ?? 0] ?? 0) / (table[k] ?? 0));
        }
        previousDc[c] = writeBlock(out, quantized, previousDc[c] ?? 0);
      }
    }
  }
  out.flushBits();
  out.bytes([0xff, 0xd9]);
  return out.result();
}

/** An 8×8 block's Y, Cb and Cr samples. */
type Planes = [Float64Array, Float64Array, Float64Array];

/** Converts the 8×8 block at (left, top) to level-shifted Y, Cb and Cr planes. */
function loadBlock(
  rgb: Uint8Array,
  width: number,
  height: number,
  left: number,
  top: number,
  planes: Planes,
): void {
  const [luma, blue, red] = planes;
  for (let y = 0; y < 8; y++) {
    const row = Math.min(top + y, height - 1) * width;
    for (let x = 0; x < 8; x++) {
      const at = (row + Math.min(left + x, width - 1)) * 3;
      const r = rgb[at] ?? 0;
      const g = rgb[at + 1] ?? 0;
      const b = rgb[at + 2] ?? 0;
      const i = y * 8 + x;
      luma[i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      blue[i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
      red[i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
    }
  }
}

/** The 2-D DCT of an 8×8 block (row order in and out), rows then columns. */
function forwardDct(block: Float64Array, out: Float64Array): void {
  const rows = DCT_ROWS;
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < 8; x++) sum += (DCT_BASIS[u * 8 + x] ?? 0) * (block[y * 8 + x] ?? 0);
      rows[y * 8 + u] = sum;
    }
  }
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let sum = 0;
      for (let y = 0; y < 8; y++) sum += (DCT_BASIS[v * 8 + y] ?? 0) * (rows[y * 8 + u] ?? 0);
      out[v * 8 + u] = sum;
    }
  }
}

/** Writes one block's coefficients (zig-zag order); returns its DC value. */
function writeBlock(out: BitWriter, block: Int32Array, previousDc: number): number {
  const dc = block[0] ?? 0;
  const difference = dc - previousDc;
  const size = category(difference);
  out.bits(DC_CODES.code[size] ?? 0, DC_CODES.length[size] ?? 0);
  if (size > 0) out.bits(extraBits(difference, size), size);
  let zeros = 0;
  for (let k = 1; k < 64; k++) {
    const value = block[k] ?? 0;
    if (value === 0) {
      zeros++;
      continue;
    }
    while (zeros > 15) {
      out.bits(AC_CODES.code[0xf0] ?? 0, AC_CODES.length[0xf0] ?? 0);
      zeros -= 16;
    }
    const bits = category(value);
    const symbol = (zeros << 4) | bits;
    out.bits(AC_CODES.code[symbol] ?? 0, AC_CODES.length[symbol] ?? 0);
    out.bits(extraBits(value, bits), bits);
    zeros = 0;
  }
  if (zeros > 0) out.bits(AC_CODES.code[0] ?? 0, AC_CODES.length[0] ?? 0);
  return dc;
}
