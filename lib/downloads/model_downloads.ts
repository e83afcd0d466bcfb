/**
 * Downloads into the shared models folder (`<data>/models`): a few at a time, each written to a
 * hidden `.aikore-download-ID.part` file beside its place and renamed to its name when complete
 * (never over an existing file). A download that breaks goes on from where it stopped (an HTTP
 * range), after a pause, a full disk or a restart of AiKore alike, so a 100 GB model is never
 * fetched twice. Everything is written confined beneath the models folder (no link followed). A
 * token given for a download is kept in memory only: after a restart, such a download waits,
 * paused, for it to be given again.
 */
import { createHash } from "node:crypto";
import { statfs } from "node:fs/promises";
import type { ModelDownloadRecord, ModelDownloadRepository } from "../db/mod.ts";
import { lstatBeneath, openBeneathSync, removeBeneath, renameNoReplaceBeneath } from "../fs/mod.ts";
import type { Logger } from "../log/mod.ts";
import { DomainError, invalidInput, isStorageFull } from "../shared/domain_error.ts";
import { formatBytes } from "../shared/stats.ts";
import {
  downloadAddress,
  downloadSource,
  type ModelDownloadList,
  type ModelDownloadView,
} from "../shared/model_download.ts";
import { bodyPlace, chooseFileName, parseContentRange } from "./http_file.ts";

export interface ModelDownloadsOptions {
  /** The shared models folder. */
  root: string;
  repository: ModelDownloadRepository;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Waits before each retry of a download that made no progress; after the last it fails. */
  retryDelaysMs?: readonly number[];
  /** Downloads running at once. */
  concurrent?: number;
  /** Finished downloads kept in the list (their files always stay). */
  keepDone?: number;
  /** Least time between two progress changes told to waiting readers. */
  progressEveryMs?: number;
  /** Told when a download is done or fails (a notification). */
  onOutcome?: (download: ModelDownloadView) => void;
  /**
   * A try that hears nothing for this long (no answer, or no byte of its body) is cut and tried
   * again from where it stopped: a server or a network that goes silent never holds a download.
   */
  silenceMs?: number;
}

/** A download's request (validated by the route's schema). */
export interface ModelDownloadRequest {
  url: string;
  folder: string;
  name?: string | undefined;
  token?: string | undefined;
}

const RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000, 60_000, 60_000, 60_000];
/** Answers worth trying again: the server is busy or failing for now. */
const TRANSIENT = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Bytes written between two saves of a download's progress in the database. */
const SAVE_EVERY_BYTES = 64 * 1024 * 1024;
/** The rate is measured over this window. */
const RATE_WINDOW_MS = 5_000;
/**
 * Free space a download never takes, so that the apps running beside it keep room for their
 * outputs and logs: 5 % of the disk, at most 10 GiB.
 */
export function keptFreeBytes(diskBytes: number): number {
  return Math.min(10 * 1024 ** 3, Math.floor(diskBytes * 0.05));
}

/** Why a try ended: the caller's stop (no status change), or a problem to retry or to show. */
class TryFailed extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

/** Cuts a try that heard nothing for `ms`, and says so; follows the download's own halt. */
class SilenceWatch {
  readonly #controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #silent = false;
  readonly #onHalt = () => this.#controller.abort();

  constructor(private readonly ms: number, private readonly halted: AbortSignal) {
    halted.addEventListener("abort", this.#onHalt, { once: true });
    this.heard();
  }

  /** The signal the try's request follows. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Something came: the silence starts over. */
  heard(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#silent = true;
      this.#controller.abort();
    }, this.ms);
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

interface Active {
  controller: AbortController;
  /** Set while a retry waits. */
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  samples: { at: number; bytes: number }[];
}

const partPath = (record: ModelDownloadRecord) =>
  join(record.folder, `.aikore-download-${record.id}.part`);
const join = (folder: string, name: string) => (folder === "" ? name : `${folder}/${name}`);

export class ModelDownloads {
  readonly #options: Required<Omit<ModelDownloadsOptions, "fetch" | "now" | "onOutcome">>;
  readonly #onOutcome: (download: ModelDownloadView) => void;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  /** Tokens by download id: memory only. */
  readonly #tokens = new Map<number, string>();
  readonly #active = new Map<number, Active>();
  /** Runs not yet ended, halted ones included: a download never has two writing its file. */
  readonly #running = new Set<number>();
  /** Bytes written, by download id, ahead of the database. */
  readonly #bytes = new Map<number, number>();
  readonly #waiters = new Set<() => void>();
  readonly #epoch = crypto.randomUUID().slice(0, 8);
  #version = 0;
  #lastProgressTold = 0;
  #progressTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(options: ModelDownloadsOptions) {
    this.#options = {
      retryDelaysMs: RETRY_DELAYS_MS,
      concurrent: 2,
      keepDone: 50,
      progressEveryMs: 1000,
      silenceMs: 60_000,
      ...options,
    };
    this.#fetch = options.fetch ?? fetch;
    this.#onOutcome = options.onOutcome ?? (() => {});
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * At start-up: downloads a previous AiKore left going on go on (from their part files); those
   * that had a token wait, paused, for it.
   */
  async start(): Promise<void> {
    for (const record of this.#options.repository.list()) {
      if (record.status === "done") continue;
      const part = await this.#partSize(record);
      this.#bytes.set(record.id, part);
      const going = record.status !== "paused" && record.status !== "failed";
      if (going && record.hadToken) {
        this.#update(record.id, {
          status: "paused",
          bytes: part,
          message: "AiKore restarted: give the token again to go on",
        });
      } else {
        this.#update(record.id, { status: going ? "queued" : record.status, bytes: part });
      }
    }
    this.#pump();
  }

  /** Adds a download; it starts when a slot is free. */
  async add(request: ModelDownloadRequest): Promise<ModelDownloadView> {
    await this.#checkFolder(request.folder);
    if (request.name !== undefined) await this.#checkFree(request.folder, request.name);
    const record = this.#options.repository.insert({
      url: downloadAddress(request.url),
      folder: request.folder,
      name: request.name ?? null,
      hadToken: request.token !== undefined,
      createdAt: this.#now().toISOString(),
    });
    if (request.token !== undefined) this.#tokens.set(record.id, request.token);
    this.#changed();
    this.#pump();
    return this.#view(this.#get(record.id));
  }

  /** Stops a download for now, keeping what it has. */
  pause(id: number): ModelDownloadView {
    const record = this.#get(id);
    if (record.status === "done" || record.status === "failed" || record.status === "paused") {
      throw new DomainError("conflict", `Download ${id} is ${record.status}, not going on`);
    }
    this.#halt(id);
    this.#update(id, { status: "paused", message: null });
    this.#pump();
    return this.#view(this.#get(id));
  }

  /** Goes on with a paused or failed download from where it stopped. */
  resume(id: number, token?: string): ModelDownloadView {
    const record = this.#get(id);
    if (record.status !== "paused" && record.status !== "failed") {
      throw new DomainError("conflict", `Download ${id} is ${record.status}: nothing to resume`);
    }
    if (token !== undefined) this.#tokens.set(id, token);
    if (record.hadToken && !this.#tokens.has(id)) {
      throw invalidInput("token", "this download was given a token: give it again to go on");
    }
    this.#update(id, { status: "queued", message: null });
    this.#pump();
    return this.#view(this.#get(id));
  }

  /**
   * Forgets a download: one not done stops and its part file goes; a finished one leaves the
   * list, its file stays.
   */
  async remove(id: number): Promise<void> {
    const record = this.#get(id);
    this.#halt(id);
    if (record.status !== "done") {
      await removeBeneath(this.#options.root, partPath(record)).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    this.#options.repository.delete(id);
    this.#tokens.delete(id);
    this.#bytes.delete(id);
    this.#changed();
    this.#pump();
  }

  list(): ModelDownloadList {
    return {
      downloads: this.#options.repository.list().map((record) => this.#view(record)),
      version: `${this.#epoch}-${this.#version}`,
    };
  }

  /** The list once its version differs from `since`, or when `waitMs` passed or `signal` aborted. */
  async listWaiting(
    since: string,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<ModelDownloadList> {
    const current = this.list();
    if (current.version !== since || waitMs <= 0 || signal.aborted) return current;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal.addEventListener("abort", done, { once: true });
      this.#waiters.add(done);
    });
    return this.list();
  }

  /** Stops every transfer (AiKore is going): the database keeps them going on at the next start. */
  stop(): void {
    this.#stopped = true;
    for (const id of [...this.#active.keys()]) {
      this.#halt(id);
      this.#options.repository.update(id, { bytes: this.#bytes.get(id) ?? 0 });
    }
    clearTimeout(this.#progressTimer);
    for (const wake of [...this.#waiters]) wake();
  }

  /** Tells `onOutcome` how download `id` ended; a throwing listener never stops a download. */
  #tell(id: number): void {
    const record = this.#options.repository.get(id);
    if (record === null) return;
    try {
      this.#onOutcome(this.#view(record));
    } catch (error) {
      this.#options.logger.error("a download's outcome could not be told", { id, error });
    }
  }

  #get(id: number): ModelDownloadRecord {
    const record = this.#options.repository.get(id);
    if (record === null) throw new DomainError("not_found", `Download ${id} not found`);
    return record;
  }

  #view(record: ModelDownloadRecord): ModelDownloadView {
    const active = this.#active.get(record.id);
    return {
      id: record.id,
      source: downloadSource(record.url),
      folder: record.folder,
      name: record.name,
      status: record.status,
      bytes: this.#bytes.get(record.id) ?? record.bytes,
      total: record.total,
      rate: record.status === "downloading" && active ? rateOf(active.samples) : null,
      message: record.message,
      needs_token: record.hadToken && record.status !== "done" && !this.#tokens.has(record.id),
      sha256: record.sha256,
      created_at: record.createdAt,
      finished_at: record.finishedAt,
    };
  }

  #update(id: number, change: Parameters<ModelDownloadRepository["update"]>[1]): void {
    this.#options.repository.update(id, change);
    this.#changed();
  }

  /** Wakes the waiting readers now. */
  #changed(): void {
    this.#version++;
    clearTimeout(this.#progressTimer);
    this.#progressTimer = undefined;
    this.#lastProgressTold = performance.now();
    for (const wake of [...this.#waiters]) wake();
  }

  /** Progress: told at most once per `progressEveryMs`. */
  #progressed(): void {
    if (this.#progressTimer !== undefined) return;
    const due = this.#lastProgressTold + this.#options.progressEveryMs - performance.now();
    this.#progressTimer = setTimeout(() => this.#changed(), Math.max(0, due));
  }

  /** Stops `id`'s transfer or its waiting retry, if any. */
  #halt(id: number): void {
    const active = this.#active.get(id);
    if (!active) return;
    clearTimeout(active.retryTimer);
    active.controller.abort();
    this.#active.delete(id);
  }

  /** Starts queued downloads, oldest first, while slots are free. */
  #pump(): void {
    if (this.#stopped) return;
    const queued = this.#options.repository.list().filter((r) => r.status === "queued").reverse();
    for (const record of queued) {
      if (this.#active.size >= this.#options.concurrent) return;
      if (this.#running.has(record.id)) continue; // its halted run is still ending
      const active: Active = {
        controller: new AbortController(),
        retryTimer: undefined,
        samples: [],
      };
      this.#active.set(record.id, active);
      this.#update(record.id, { status: "downloading", message: null });
      this.#running.add(record.id);
      this.#run(record.id, active)
        .catch((error) => {
          this.#options.logger.error("model download stopped unexpectedly", {
            id: record.id,
            error,
          });
          if (this.#active.get(record.id) === active) this.#fail(record.id, messageOf(error));
        })
        .finally(() => {
          this.#running.delete(record.id);
          this.#pump();
        });
    }
  }

  /** Tries until done, failed, or halted; each failed try that made progress resets the count. */
  async #run(id: number, active: Active): Promise<void> {
    const signal = active.controller.signal;
    let attempt = 0;
    for (;;) {
      const before = this.#bytes.get(id) ?? 0;
      try {
        await this.#try(id, active);
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof TryFailed)) throw error;
        const delays = this.#options.retryDelaysMs;
        if ((this.#bytes.get(id) ?? 0) > before) attempt = 0;
        if (!error.retry || attempt >= delays.length) {
          const tries = attempt + 1;
          this.#fail(
            id,
            error.retry ? `${error.message} (gave up after ${tries} tries)` : error.message,
          );
          return;
        }
        const delay = delays[attempt++] as number;
        this.#update(id, {
          status: "retrying",
          bytes: this.#bytes.get(id) ?? 0,
          message: `${error.message}; trying again in ${Math.ceil(delay / 1000)} s`,
        });
        await new Promise<void>((resolve) => {
          active.retryTimer = setTimeout(resolve, delay);
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        clearTimeout(active.retryTimer);
        if (signal.aborted) return;
        this.#update(id, { status: "downloading", message: null });
      }
    }
  }

  #fail(id: number, message: string): void {
    this.#active.delete(id);
    this.#update(id, { status: "failed", bytes: this.#bytes.get(id) ?? 0, message });
    this.#tell(id);
    this.#pump();
  }

  /** One HTTP request: appends what it answers to the part file, and finishes the download. */
  async #try(id: number, active: Active): Promise<void> {
    const record = this.#get(id);
    const root = this.#options.root;
    let file: Deno.FsFile;
    try {
      file = openBeneathSync(root, partPath(record), "create-append");
    } catch (error) {
      throw new TryFailed(`cannot write in models/${record.folder}: ${messageOf(error)}`, false);
    }
    const watch = new SilenceWatch(this.#options.silenceMs, active.controller.signal);
    try {
      let have = (await file.stat()).size;
      this.#bytes.set(id, have);
      const headers = new Headers({ "user-agent": "AiKore" });
      if (have > 0) headers.set("range", `bytes=${have}-`);
      const token = this.#tokens.get(id);
      if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
      const response = await this.#request(record, headers, watch);
      watch.heard();
      if (response.status === 416 && have > 0) {
        await response.body?.cancel();
        const total = parseContentRange(response.headers.get("content-range"))?.total ?? null;
        if (total !== have) throw new TryFailed("the server has no more bytes to send", false);
        return await this.#finish(record, file, have);
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
        // It starts over (it ignores ranges): so does the part file.
        await file.truncate(0);
        have = 0;
        if (place.start > 0) {
          await response.body?.cancel();
          throw new TryFailed("the server answered a range that was not asked for", true);
        }
      }
      if (record.name === null) {
        const name = chooseFileName(response, record.url, id);
        await this.#checkFree(record.folder, name).catch(async (error) => {
          await response.body?.cancel();
          throw new TryFailed(messageOf(error), false);
        });
        record.name = name;
      }
      const total = place.total;
      this.#update(id, { name: record.name, total, bytes: have });
      if (total !== null) await this.#checkRoom(total - have, response);
      have = await this.#receive(id, active, watch, response, file, have);
      if (total !== null && have < total) {
        throw new TryFailed(`the connection ended after ${have} of ${total} bytes`, true);
      }
      await this.#finish(record, file, have);
    } finally {
      watch.end();
      try {
        file.close();
      } catch {
        // closed by #finish
      }
    }
  }

  /**
   * Asks for the file, following redirects itself (at most 10) so that the SHA-256 a server
   * announces on the way is kept (Hugging Face's `X-Linked-Etag`, on its redirect to its CDN),
   * and so that the token never goes to another origin than the address's.
   */
  async #request(
    record: ModelDownloadRecord,
    headers: Headers,
    watch: SilenceWatch,
  ): Promise<Response> {
    const origin = new URL(record.url).origin;
    let url = record.url;
    for (let hop = 0;; hop++) {
      const sent = new Headers(headers);
      if (new URL(url).origin !== origin) sent.delete("authorization");
      let response: Response;
      try {
        response = await this.#fetch(url, {
          headers: sent,
          signal: watch.signal,
          redirect: "manual",
        });
      } catch (error) {
        throw watch.failure(error, `no answer from ${new URL(url).host}`);
      }
      const announced = announcedSha256(response);
      if (announced !== null && announced !== record.sha256) {
        record.sha256 = announced;
        this.#update(record.id, { sha256: announced });
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

  /** Streams the body into the file; returns the bytes the file holds. */
  async #receive(
    id: number,
    active: Active,
    watch: SilenceWatch,
    response: Response,
    file: Deno.FsFile,
    have: number,
  ): Promise<number> {
    const body = response.body;
    if (body === null) return have;
    const reader = body.getReader();
    let saved = have;
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          throw watch.failure(error, "the connection broke");
        }
        if (chunk.done) return have;
        watch.heard();
        try {
          await writeAll(file, chunk.value);
        } catch (error) {
          throw new TryFailed(
            isStorageFull(error)
              ? "the disk is full: free some space, then Resume goes on from here"
              : `cannot write the file: ${messageOf(error)}`,
            false,
          );
        }
        have += chunk.value.length;
        this.#bytes.set(id, have);
        const now = performance.now();
        active.samples.push({ at: now, bytes: have });
        while ((active.samples[0]?.at ?? now) < now - RATE_WINDOW_MS) active.samples.shift();
        if (have - saved >= SAVE_EVERY_BYTES) {
          this.#options.repository.update(id, { bytes: have });
          saved = have;
        }
        this.#progressed();
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /** Gives the part file its name (never over an existing file) and marks the download done. */
  async #finish(record: ModelDownloadRecord, file: Deno.FsFile, have: number): Promise<void> {
    await file.syncData();
    file.close();
    if (record.sha256 !== null) await this.#verify({ ...record, sha256: record.sha256 });
    const name = record.name ?? `download-${record.id}`;
    try {
      await renameNoReplaceBeneath(this.#options.root, partPath(record), join(record.folder, name));
    } catch (error) {
      const why = error instanceof Deno.errors.AlreadyExists
        ? `models/${join(record.folder, name)} exists already: remove it, then Resume`
        : `cannot name the file: ${messageOf(error)}`;
      throw new TryFailed(why, false);
    }
    this.#active.delete(record.id);
    this.#bytes.delete(record.id);
    this.#tokens.delete(record.id);
    this.#update(record.id, {
      status: "done",
      name,
      bytes: have,
      total: have,
      message: null,
      finishedAt: this.#now().toISOString(),
    });
    this.#tell(record.id);
    this.#options.repository.pruneDone(this.#options.keepDone);
    this.#pump();
  }

  /** Fails the try when `needed` more bytes would leave the disk under its kept free space. */
  async #checkRoom(needed: number, response: Response): Promise<void> {
    const space = await statfs(this.#options.root).catch(() => null);
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
   * Checks the complete part file against the SHA-256 the server announced. A file that does not
   * match is removed (going on from it would keep the damage) and the download fails.
   */
  async #verify(record: ModelDownloadRecord & { sha256: string }): Promise<void> {
    this.#update(record.id, { message: "checking its SHA-256" });
    const hash = createHash("sha256");
    const file = openBeneathSync(this.#options.root, partPath(record), "read");
    try {
      for await (const chunk of file.readable) hash.update(chunk);
    } catch (error) {
      throw new TryFailed(`cannot read the file back: ${messageOf(error)}`, false);
    }
    const got = hash.digest("hex");
    if (got === record.sha256) return;
    await removeBeneath(this.#options.root, partPath(record));
    this.#bytes.set(record.id, 0);
    throw new TryFailed(
      `the file does not match the SHA-256 the server announced (${record.sha256.slice(0, 12)}…, ` +
        `got ${got.slice(0, 12)}…): it was removed, Resume downloads it again`,
      false,
    );
  }

  async #checkFolder(folder: string): Promise<void> {
    if (folder === "") {
      await Deno.mkdir(this.#options.root, { recursive: true });
      return;
    }
    const info = await lstatBeneath(this.#options.root, folder);
    if (info === null) throw new DomainError("not_found", `Folder models/${folder} not found`);
    if (!info.isDirectory) throw invalidInput("folder", `models/${folder} is not a folder`);
  }

  async #checkFree(folder: string, name: string): Promise<void> {
    const path = join(folder, name);
    if (await lstatBeneath(this.#options.root, path) !== null) {
      throw new DomainError("conflict", `models/${path} exists already`);
    }
  }

  async #partSize(record: ModelDownloadRecord): Promise<number> {
    try {
      const info = await lstatBeneath(this.#options.root, partPath(record));
      return info?.isFile ? info.size : 0;
    } catch {
      return 0; // its folder went: it starts over, and says why then
    }
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

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

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}

function rateOf(samples: { at: number; bytes: number }[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < 500) return null;
  return Math.round(((last.bytes - first.bytes) * 1000) / (last.at - first.at));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
