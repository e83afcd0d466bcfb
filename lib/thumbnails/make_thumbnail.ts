/** One thumbnail: a PNG decoded row by row, shrunk as it comes, and encoded as a JPEG. */
import { BoxDownscale, fittedSize } from "./box_downscale.ts";
import { encodeJpeg } from "./jpeg_encoder.ts";
import { decodePngRows, pngHeader, type Rgb } from "./png_decoder.ts";

export interface Thumbnail {
  jpeg: Uint8Array<ArrayBuffer>;
  width: number;
  height: number;
}

/** The quality thumbnails are encoded at (sharp enough at their size, about 15 KB each). */
export const THUMBNAIL_QUALITY = 80;

/**
 * The thumbnail of the PNG `bytes`, its longer side at most `longest` pixels, transparency laid
 * over `background`. Throws UnsupportedImage for an image it cannot read.
 */
export async function makeThumbnail(
  bytes: Uint8Array<ArrayBuffer>,
  longest: number,
  background: Rgb,
): Promise<Thumbnail> {
  const header = pngHeader(bytes);
  const size = fittedSize(header.width, header.height, longest);
  const shrink = new BoxDownscale(header, size.width, size.height);
  await decodePngRows(bytes, (rgb, y) => shrink.addRow(rgb, y), background);
  const jpeg = encodeJpeg(shrink.pixels, size.width, size.height, THUMBNAIL_QUALITY);
  return { jpeg, ...size };
}
