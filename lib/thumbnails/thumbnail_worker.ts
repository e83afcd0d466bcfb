/// <reference lib="deno.worker" />
/**
 * The thread thumbnails are made in, so that decoding a large image never holds up AiKore's own
 * event loop (terminals, streams, the API). It reads nothing itself: it is given the file's bytes
 * in parts, and joins them here.
 */
import { makeThumbnail } from "./make_thumbnail.ts";
import { UnsupportedImage } from "./png_decoder.ts";
import type { ThumbnailReply, ThumbnailRequest } from "./worker_messages.ts";

/** The parts received so far, by request. */
const parts = new Map<number, Uint8Array[]>();

function joined(pieces: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const whole = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0));
  let at = 0;
  for (const piece of pieces) {
    whole.set(piece, at);
    at += piece.length;
  }
  return whole;
}

self.onmessage = (event: MessageEvent<ThumbnailRequest>) => {
  const request = event.data;
  if (request.kind === "part") {
    const pieces = parts.get(request.id) ?? [];
    pieces.push(new Uint8Array(request.buffer, 0, request.length));
    parts.set(request.id, pieces);
    return;
  }
  const pieces = parts.get(request.id) ?? [];
  parts.delete(request.id);
  if (request.kind === "drop") return;
  const { id, longest, background } = request;
  makeThumbnail(joined(pieces), longest, background).then(
    (thumbnail) => {
      const reply: ThumbnailReply = { id, ok: true, ...thumbnail };
      self.postMessage(reply, [thumbnail.jpeg.buffer]);
    },
    (error: unknown) => {
      const reply: ThumbnailReply = {
        id,
        ok: false,
        unsupported: error instanceof UnsupportedImage,
        message: error instanceof Error ? error.message : String(error),
      };
      self.postMessage(reply);
    },
  );
};
