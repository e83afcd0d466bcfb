/// <reference lib="deno.worker" />
/**
 * The thread thumbnails are made in, so that decoding a large image never holds up AiKore's own
 * event loop (terminals, streams, the API). It reads nothing itself: it is given the file's bytes.
 */
import { makeThumbnail } from "./make_thumbnail.ts";
import { UnsupportedImage } from "./png_decoder.ts";
import type { ThumbnailReply, ThumbnailRequest } from "./worker_messages.ts";

self.onmessage = (event: MessageEvent<ThumbnailRequest>) => {
  const { id, bytes, longest, background } = event.data;
  makeThumbnail(new Uint8Array(bytes), longest, background).then(
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
