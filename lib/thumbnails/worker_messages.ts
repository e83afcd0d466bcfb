/** The messages between the thumbnail service and its worker thread. */
import type { Rgb } from "./png_decoder.ts";

export interface ThumbnailRequest {
  id: number;
  /** The image file's bytes (transferred). */
  bytes: ArrayBuffer;
  longest: number;
  background: Rgb;
}

export type ThumbnailReply =
  | { id: number; ok: true; jpeg: Uint8Array<ArrayBuffer>; width: number; height: number }
  | { id: number; ok: false; unsupported: boolean; message: string };
