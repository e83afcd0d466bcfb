/**
 * Shrinks an RGB image fed row by row to a smaller size by averaging each target pixel's box of
 * source pixels: only one row of sums is kept, so the source never sits in memory whole.
 */

/** The size an image of `width` × `height` is shown at, its longer side at most `longest`. */
export function fittedSize(
  width: number,
  height: number,
  longest: number,
): { width: number; height: number } {
  const scale = Math.min(1, longest / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

export class BoxDownscale {
  /** The target column of each source column. */
  readonly #targetColumn: Uint32Array;
  /** Source columns per target column. */
  readonly #columnsIn: Uint32Array;
  /** Sums of the current target row, RGB. */
  readonly #sums: Float64Array;
  #rowsIn = 0;
  #targetRow = 0;
  /** The shrunk image, RGB, `width` × `height` × 3 bytes. */
  readonly pixels: Uint8Array;

  constructor(
    private readonly source: { width: number; height: number },
    readonly width: number,
    readonly height: number,
  ) {
    this.#targetColumn = new Uint32Array(source.width);
    this.#columnsIn = new Uint32Array(width);
    for (let x = 0; x < source.width; x++) {
      const target = Math.floor((x * width) / source.width);
      this.#targetColumn[x] = target;
      this.#columnsIn[target] = (this.#columnsIn[target] ?? 0) + 1;
    }
    this.#sums = new Float64Array(width * 3);
    this.pixels = new Uint8Array(width * height * 3);
  }

  /** Adds source row `y` (RGB, rows in order from 0). */
  addRow(rgb: Uint8Array, y: number): void {
    const targetRow = Math.floor((y * this.height) / this.source.height);
    if (targetRow !== this.#targetRow) this.#flush();
    this.#targetRow = targetRow;
    const sums = this.#sums;
    const columns = this.#targetColumn;
    for (let x = 0; x < this.source.width; x++) {
      const at = (columns[x] ?? 0) * 3;
      sums[at] = (sums[at] ?? 0) + (rgb[x * 3] ?? 0);
      sums[at + 1] = (sums[at + 1] ?? 0) + (rgb[x * 3 + 1] ?? 0);
      sums[at + 2] = (sums[at + 2] ?? 0) + (rgb[x * 3 + 2] ?? 0);
    }
    this.#rowsIn++;
    if (y === this.source.height - 1) this.#flush();
  }

  #flush(): void {
    if (this.#rowsIn === 0) return;
    const out = this.#targetRow * this.width * 3;
    for (let x = 0; x < this.width; x++) {
      const count = (this.#columnsIn[x] ?? 0) * this.#rowsIn;
      for (let c = 0; c < 3; c++) {
        this.pixels[out + x * 3 + c] = Math.round((this.#sums[x * 3 + c] ?? 0) / count);
      }
    }
    this.#sums.fill(0);
    this.#rowsIn = 0;
  }
}
