/** The messages between the thumbnail service and its worker thread. */
import type { Rgb } from "./png_decoder.ts";

/**
 * The service sends a file in parts (each buffer transferred, so that AiKore's own thread never
 * holds the whole file), then asks for its thumbnail, or drops the parts when the read failed.
 */
export type ThumbnailRequest =
  | { kind: "part"; id: number; buffer: ArrayBuffer; length: number }
  | { kind: "make"; id: number; longest: number; background: Rgb }
  | { kind: "drop"; id: number };

export type ThumbnailReply =
  | { id: number; ok: true; jpeg: Uint8Array<ArrayBuffer>; width: number; height: number }
  | { id: number; ok: false; unsupported: boolean; message: string };
