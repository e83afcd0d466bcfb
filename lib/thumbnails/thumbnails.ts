/**
 * Thumbnails of the images in a browsed folder (outputs, models): small JPEGs made in a worker
 * thread and kept in a cache folder, so a gallery of large PNGs loads a few kilobytes per image.
 * Only PNG (what image apps save by default) is read; for any other image, or one that cannot
 * be read, the caller sends the original, as before thumbnails existed. A cache that cannot be
 * written (a full disk) costs only the reuse: the thumbnail is still answered.
 */
import type { Logger } from "../log/mod.ts";
import { ThumbnailCache } from "./thumbnail_cache.ts";
import type { Rgb } from "./png_decoder.ts";
import type { ThumbnailReply, ThumbnailRequest } from "./worker_messages.ts";

/** The longer side of a thumbnail, in pixels (tiles are about 160 px wide; twice for HiDPI). */
export const THUMBNAIL_LONGEST = 320;
/** Files larger than this are not read whole for a thumbnail (the original is sent). */
const MAX_SOURCE_BYTES = 128 * 1024 * 1024;
/** A file is handed to the worker in parts of this size. */
const PART_BYTES = 1024 * 1024;
/** Thumbnails made at once: each holds its source file's bytes in memory meanwhile. */
const AT_ONCE = 2;
/** The cache's size; past it, the oldest thumbnails go until it is at 80 %. */
const CACHE_BYTES = 256 * 1024 * 1024;
/** Images found unreadable, remembered so that they are not read again (the newest kept). */
const UNSUPPORTED_KEPT = 1_000;
/** The dashboard's tile background, under transparent pixels. */
const BACKGROUND: Rgb = [0x1f, 0x23, 0x2a];

/** An image file, opened by the caller (who closes it). */
export interface ThumbnailSource {
  file: Deno.FsFile;
  /** Bytes. */
  size: number;
  name: string;
  /** Modification time, ms since the epoch (a rewritten file gets a new thumbnail). */
  modifiedMs: number | null;
  /** Which file this is, for the cache: its folder's kind and path ("outputs/x/a.png"). */
  key: string;
}

export interface ThumbnailResult {
  jpeg: Uint8Array<ArrayBuffer>;
  /** Made now, or taken from the cache. */
  from: "made" | "cache";
}

export interface ThumbnailsOptions {
  cacheDir: string;
  logger: Logger;
  longest?: number;
  cacheBytes?: number;
}

export class Thumbnails {
  readonly #cache: ThumbnailCache;
  readonly #logger: Logger;
  readonly #longest: number;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #replies = new Map<number, (reply: ThumbnailReply) => void>();
  readonly #inFlight = new Map<string, Promise<ThumbnailResult | null>>();
  readonly #unsupported = new Set<string>();
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(options: ThumbnailsOptions) {
    this.#cache = new ThumbnailCache(
      options.cacheDir,
      options.cacheBytes ?? CACHE_BYTES,
      options.logger,
    );
    this.#logger = options.logger;
    this.#longest = options.longest ?? THUMBNAIL_LONGEST;
  }

  /**
   * The thumbnail of `source`, or null when none is made (not a PNG, too large, unreadable):
   * the caller then sends the file itself.
   */
  async of(source: ThumbnailSource): Promise<ThumbnailResult | null> {
    if (!/\.png$/i.test(source.name) || source.size > MAX_SOURCE_BYTES) return null;
    const key = await cacheKey(source, this.#longest);
    if (this.#unsupported.has(key)) return null;
    const cached = await this.#cache.read(key);
    if (cached) return { jpeg: cached, from: "cache" };
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const made = this.#make(source, key).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, made);
    return made;
  }

  /** Stops the worker thread; thumbnails still being made are answered as unavailable. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#failPending("the thumbnail service was closed");
  }

  async #make(source: ThumbnailSource, key: string): Promise<ThumbnailResult | null> {
    await this.#turn();
    try {
      const reply = await this.#ask(source);
      if (!reply.ok) {
        if (reply.unsupported) this.#rememberUnsupported(key);
        else this.#logger.warn("a thumbnail failed", { file: source.key, reason: reply.message });
        return null;
      }
      await this.#cache.write(key, reply.jpeg);
      return { jpeg: reply.jpeg, from: "made" };
    } finally {
      // The place goes straight to the next in line, so none is taken twice meanwhile.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Waits for one of the AT_ONCE places. */
  async #turn(): Promise<void> {
    if (this.#running < AT_ONCE) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Sends the file to the worker a part at a time (each buffer handed over, never the whole file
   * in this thread), then asks for its thumbnail.
   */
  async #ask(source: ThumbnailSource): Promise<ThumbnailReply> {
    const id = this.#nextId++;
    const worker = this.#ensureWorker();
    const reply = new Promise<ThumbnailReply>((resolve) => this.#replies.set(id, resolve));
    try {
      let sent = 0;
      while (sent < source.size) {
        const buffer = new ArrayBuffer(Math.min(PART_BYTES, source.size - sent));
        const length = await source.file.read(new Uint8Array(buffer));
        if (length === null) break;
        const part: ThumbnailRequest = { kind: "part", id, buffer, length };
        worker.postMessage(part, [buffer]);
        sent += length;
      }
    } catch (error) {
      this.#replies.delete(id);
      worker.postMessage({ kind: "drop", id } satisfies ThumbnailRequest);
      throw error;
    }
    const make: ThumbnailRequest = {
      kind: "make",
      id,
      longest: this.#longest,
      background: BACKGROUND,
    };
    worker.postMessage(make);
    return reply;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL("./thumbnail_worker.ts", import.meta.url), {
      type: "module",
    });
    worker.onmessage = (event: MessageEvent<ThumbnailReply>) => {
      const resolve = this.#replies.get(event.data.id);
      this.#replies.delete(event.data.id);
      resolve?.(event.data);
    };
    worker.onerror = (event) => {
      // A crash of the thread (out of memory on a huge image): it is started again next time.
      event.preventDefault();
      this.#logger.error("the thumbnail thread failed; it is started again", {
        error: event.message,
      });
      worker.terminate();
      if (this.#worker === worker) this.#worker = null;
      this.#failPending(`the thumbnail thread failed: ${event.message}`);
    };
    this.#worker = worker;
    return worker;
  }

  #failPending(message: string): void {
    for (const [id, resolve] of this.#replies) {
      resolve({ id, ok: false, unsupported: false, message });
    }
    this.#replies.clear();
  }

  #rememberUnsupported(key: string): void {
    if (this.#unsupported.size >= UNSUPPORTED_KEPT) {
      const oldest = this.#unsupported.values().next().value;
      if (oldest !== undefined) this.#unsupported.delete(oldest);
    }
    this.#unsupported.add(key);
  }
}

/** The cache name of a file's thumbnail: it changes with the file's size, time and the size asked. */
async function cacheKey(source: ThumbnailSource, longest: number): Promise<string> {
  const text = `${source.key}\n${source.size}\n${source.modifiedMs ?? ""}\n${longest}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
