/**
 * One try of one model download: one HTTP request (redirects followed here, at most 10), its body
 * appended to the download's part file from the byte the file holds (an HTTP range), the free
 * space checked first, and, once the file is complete, its announced SHA-256 checked and its name
 * given (never over an existing file). Everything is written confined beneath the models folder.
 * What goes wrong is a TryFailed that says whether trying again can help; the download manager
 * (model_downloads.ts) decides what to do with it.
 */
import { createHash } from "node:crypto";
import { statfs } from "node:fs/promises";
import { lstatBeneath, openBeneathSync, removeBeneath, renameNoReplaceBeneath } from "../fs/mod.ts";
import { DomainError, isStorageFull } from "../shared/domain_error.ts";
import { formatBytes } from "../shared/stats.ts";
import { bodyPlace, chooseFileName, parseContentRange } from "./http_file.ts";

/** Answers worth trying again: the server is busy or failing for now. */
const TRANSIENT = new Set([408, 425, 429, 500, 502, 503, 504]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

/**
 * Free space a download never takes, so that the apps running beside it keep room for their
 * outputs and logs: 5 % of the disk, at most 10 GiB.
 */
export function keptFreeBytes(diskBytes: number): number {
  return Math.min(10 * 1024 ** 3, Math.floor(diskBytes * 0.05));
}

/** Why a try ended: the caller's stop (no status change), or a problem to retry or to show. */
export class TryFailed extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

/** Cuts a try that heard nothing for `ms`, and says so; follows the download's own halt. */
export class SilenceWatch {
  readonly #controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastHeard = performance.now();
  #silent = false;
  readonly #onHalt = () => this.#controller.abort();

  constructor(private readonly ms: number, private readonly halted: AbortSignal) {
    halted.addEventListener("abort", this.#onHalt, { once: true });
    this.#arm(ms);
  }

  /** The signal the try's request follows. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Something came: the silence starts over (a time noted, no timer per chunk). */
  heard(): void {
    this.#lastHeard = performance.now();
  }

  /** One timer: when it fires early for what was heard since, it waits the rest. */
  #arm(delay: number): void {
    this.#timer = setTimeout(() => {
      const quiet = performance.now() - this.#lastHeard;
      if (quiet < this.ms) return this.#arm(this.ms - quiet);
      this.#silent = true;
      this.#controller.abort();
    }, delay);
  }

  /** What to throw for `error`, raised by the request or its body: the halt's own, or a retry. */
  failure(error: unknown, what: string): unknown {
    if (this.halted.aborted) return error;
    if (this.#silent) return new TryFailed(`${what}: nothing for ${this.ms / 1000} s`, true);
    return new TryFailed(`${what}: ${messageOf(error)}`, true);
  }

  end(): void {
    clearTimeout(this.#timer);
    this.halted.removeEventListener("abort", this.#onHalt);
  }
}

/** `folder/name`, or `name` in the models folder itself. */
export const joinPath = (folder: string, name: string) =>
  folder === "" ? name : `${folder}/${name}`;

/** Where download `id` keeps its bytes until it is complete: hidden, beside its place. */
export const partPath = (download: { id: number; folder: string }) =>
  joinPath(download.folder, `.aikore-download-${download.id}.part`);

/** Throws a conflict when `folder/name` exists (a file, a folder or a link). */
export async function ensureFree(root: string, folder: string, name: string): Promise<void> {
  const path = joinPath(folder, name);
  if (await lstatBeneath(root, path) !== null) {
    throw new DomainError("conflict", `models/${path} exists already`);
  }
}

/** What a try needs to know of its download. */
export interface TransferJob {
  id: number;
  url: string;
  folder: string;
  /** The file's name, once the user or an earlier answer gave it. */
  name: string | null;
  /** The SHA-256 a server announced earlier, hex. */
  sha256: string | null;
  token: string | undefined;
}

/** What a try tells as it goes. */
export interface TransferEvents {
  /** The part file holds `bytes` before the body is written. */
  began(bytes: number): void;
  /** The answer gave the file's name and size (null: unknown). */
  placed(name: string, total: number | null, bytes: number): void;
  /** A server announced the file's SHA-256. */
  announced(sha256: string): void;
  /** The part file now holds `bytes`. */
  progressed(bytes: number): void;
  /** The complete file is read back to check its SHA-256. */
  checking(): void;
}

export interface TransferContext {
  /** The shared models folder. */
  root: string;
  fetch: typeof fetch;
  silenceMs: number;
  /** Aborted when the download is paused, removed or AiKore stops: the try ends, no status. */
  halted: AbortSignal;
}

/** One try: resolves with the file's name and size once it is complete and in place. */
export async function transferOnce(
  job: TransferJob,
  context: TransferContext,
  events: TransferEvents,
): Promise<{ name: string; bytes: number }> {
  let file: Deno.FsFile;
  try {
    file = openBeneathSync(context.root, partPath(job), "create-append");
  } catch (error) {
    throw new TryFailed(`cannot write in models/${job.folder}: ${messageOf(error)}`, false);
  }
  const watch = new SilenceWatch(context.silenceMs, context.halted);
  try {
    let have = (await file.stat()).size;
    events.began(have);
    const headers = new Headers({ "user-agent": "AiKore" });
    if (have > 0) headers.set("range", `bytes=${have}-`);
    if (job.token !== undefined) headers.set("authorization", `Bearer ${job.token}`);
    const response = await request(job, headers, watch, context.fetch, events);
    watch.heard();
    if (response.status === 416 && have > 0) {
      await response.body?.cancel();
      const total = parseContentRange(response.headers.get("content-range"))?.total ?? null;
      if (total !== have) throw new TryFailed("the server has no more bytes to send", false);
      return await finish(job, context, file, have, events);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw refusal(response.status, response.statusText);
    }
    if (/^text\/html\b/i.test(response.headers.get("content-type") ?? "")) {
      await response.body?.cancel();
      throw new TryFailed(
        "the address answered a web page, not a file: give the file's download link",
        false,
      );
    }
    const place = bodyPlace(response);
    if (place === null || place.start > have) {
      await response.body?.cancel();
      throw new TryFailed("the server answered a range that was not asked for", true);
    }
    if (place.start < have) {
      // It starts over (it ignores ranges), or sent another range: the part file starts over.
      await file.truncate(0);
      have = 0;
      if (place.start > 0) {
        await response.body?.cancel();
        throw new TryFailed("the server answered a range that was not asked for", true);
      }
    }
    if (job.name === null) {
      const name = chooseFileName(response, job.url, job.id);
      await ensureFree(context.root, job.folder, name).catch(async (error) => {
        await response.body?.cancel();
        throw new TryFailed(messageOf(error), false);
      });
      job.name = name;
    }
    events.placed(job.name, place.total, have);
    if (place.total !== null) await checkRoom(context.root, place.total - have, response);
    have = await receive(watch, response, file, have, events);
    if (place.total !== null && have < place.total) {
      throw new TryFailed(`the connection ended after ${have} of ${place.total} bytes`, true);
    }
    return await finish(job, context, file, have, events);
  } finally {
    watch.end();
    try {
      file.close();
    } catch {
      // closed by finish
    }
  }
}

/**
 * Asks for the file, following redirects here (at most 10) so that the SHA-256 a server
 * announces on the way is kept (Hugging Face's `X-Linked-Etag`, on its redirect to its CDN),
 * and so that the token never goes to another origin than the address's.
 */
async function request(
  job: TransferJob,
  headers: Headers,
  watch: SilenceWatch,
  fetchFile: typeof fetch,
  events: TransferEvents,
): Promise<Response> {
  const origin = new URL(job.url).origin;
  let url = job.url;
  for (let hop = 0;; hop++) {
    const sent = new Headers(headers);
    if (new URL(url).origin !== origin) sent.delete("authorization");
    let response: Response;
    try {
      response = await fetchFile(url, { headers: sent, signal: watch.signal, redirect: "manual" });
    } catch (error) {
      throw watch.failure(error, `no answer from ${new URL(url).host}`);
    }
    const announced = announcedSha256(response);
    if (announced !== null && announced !== job.sha256) {
      job.sha256 = announced;
      events.announced(announced);
    }
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (hop === MAX_REDIRECTS) throw new TryFailed("too many redirects", false);
    url = new URL(location, url).toString();
    if (!/^https?:$/.test(new URL(url).protocol)) {
      throw new TryFailed(`a redirect to ${new URL(url).protocol} is not followed`, false);
    }
  }
}

/** How often the part file's size is read while a body streams into it. */
const SIZE_EVERY_MS = 250;

/**
 * Streams the body into the part file and returns the bytes the file holds. The body is piped
 * straight into the file, which Deno does without handing each chunk to JavaScript (half the CPU
 * per MiB of a read-and-write loop, measured in tools/bench/model_download.ts); progress and
 * silence are read from the file's size a few times a second instead.
 */
async function receive(
  watch: SilenceWatch,
  response: Response,
  file: Deno.FsFile,
  have: number,
  events: TransferEvents,
): Promise<number> {
  const body = response.body;
  if (body === null) return have;
  let size = have;
  const look = async () => {
    const now = (await file.stat()).size;
    if (now === size) return;
    size = now;
    watch.heard();
    events.progressed(size);
  };
  const ticker = setInterval(() => {
    look().catch(() => {}); // the file is closed when the pipe failed: the try ends anyway
  }, SIZE_EVERY_MS);
  try {
    await body.pipeTo(file.writable, { preventClose: true, signal: watch.signal });
  } catch (error) {
    await look().catch(() => {});
    if (isStorageFull(error)) {
      throw new TryFailed(
        "the disk is full: free some space, then Resume goes on from here",
        false,
      );
    }
    throw watch.failure(error, "the connection broke");
  } finally {
    clearInterval(ticker);
  }
  await look();
  return size;
}

/** Checks the complete file, then gives it its name (never over an existing file). */
async function finish(
  job: TransferJob,
  context: TransferContext,
  file: Deno.FsFile,
  have: number,
  events: TransferEvents,
): Promise<{ name: string; bytes: number }> {
  await file.syncData();
  file.close();
  if (job.sha256 !== null) {
    events.checking();
    await verify(context.root, job, job.sha256, events);
  }
  const name = job.name ?? `download-${job.id}`;
  try {
    await renameNoReplaceBeneath(context.root, partPath(job), joinPath(job.folder, name));
  } catch (error) {
    const why = error instanceof Deno.errors.AlreadyExists
      ? `models/${joinPath(job.folder, name)} exists already: remove it, then Resume`
      : `cannot name the file: ${messageOf(error)}`;
    throw new TryFailed(why, false);
  }
  return { name, bytes: have };
}

/** Fails the try when `needed` more bytes would leave the disk under its kept free space. */
async function checkRoom(root: string, needed: number, response: Response): Promise<void> {
  const space = await statfs(root).catch(() => null);
  if (space === null) return; // unknown: the write itself says when the disk is full
  const free = space.bavail * space.bsize;
  const kept = keptFreeBytes(space.blocks * space.bsize);
  if (needed <= free - kept) return;
  await response.body?.cancel();
  throw new TryFailed(
    `not enough free space: it needs ${formatBytes(needed, 1)} more and the disk has ` +
      `${formatBytes(free, 1)} free, of which AiKore keeps ${formatBytes(kept, 1)} for the apps`,
    false,
  );
}

/**
 * Reads the complete part file back through SHA-256. A file that does not match is removed
 * (going on from it would keep the damage) and the try fails.
 */
async function verify(
  root: string,
  job: TransferJob,
  expected: string,
  events: TransferEvents,
): Promise<void> {
  const hash = createHash("sha256");
  const file = openBeneathSync(root, partPath(job), "read");
  try {
    for await (const chunk of file.readable) hash.update(chunk);
  } catch (error) {
    throw new TryFailed(`cannot read the file back: ${messageOf(error)}`, false);
  }
  const got = hash.digest("hex");
  if (got === expected) return;
  await removeBeneath(root, partPath(job));
  events.progressed(0);
  throw new TryFailed(
    `the file does not match the SHA-256 the server announced (${expected.slice(0, 12)}…, ` +
      `got ${got.slice(0, 12)}…): it was removed, Resume downloads it again`,
    false,
  );
}

/** The SHA-256 (hex) an answer announces for the file (`X-Linked-Etag`), or null. */
function announcedSha256(response: Response): string | null {
  const tag = response.headers.get("x-linked-etag")?.replace(/^W\//, "").replaceAll('"', "");
  return tag !== undefined && /^[0-9a-f]{64}$/i.test(tag) ? tag.toLowerCase() : null;
}

function refusal(status: number, text: string): TryFailed {
  const answer = `the server answered ${status}${text ? ` ${text}` : ""}`;
  if (status === 401 || status === 403) {
    return new TryFailed(`${answer}: a token may be needed, or the one given is refused`, false);
  }
  return new TryFailed(answer, TRANSIENT.has(status));
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
