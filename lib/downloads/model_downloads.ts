/**
 * The model downloads into the shared models folder (`<data>/models`): the queue (a few at a
 * time), their state in the database, the retries, the progress readers wait on, and what goes
 * on after a restart. One try of one download is transfer.ts: it writes a hidden part file beside
 * the file's place, from the byte it holds (an HTTP range), and names the file when complete.
 * So a download that breaks goes on from where it stopped, after a pause, a full disk or a
 * restart of AiKore alike: a 100 GB model is never fetched twice. A token given for a download
 * is kept in memory only: after a restart, such a download waits, paused, for it again.
 */
import type { ModelDownloadRecord, ModelDownloadRepository } from "../db/mod.ts";
import { lstatBeneath, removeBeneath } from "../fs/mod.ts";
import type { Logger } from "../log/mod.ts";
import { DomainError, invalidInput } from "../shared/domain_error.ts";
import {
  downloadAddress,
  downloadSource,
  type ModelDownloadList,
  type ModelDownloadView,
} from "../shared/model_download.ts";
import {
  ensureFree,
  messageOf,
  partPath,
  type TransferEvents,
  transferOnce,
  TryFailed,
} from "./transfer.ts";

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
/** Bytes written between two saves of a download's progress in the database. */
const SAVE_EVERY_BYTES = 64 * 1024 * 1024;
/** The rate is measured over this window. */
const RATE_WINDOW_MS = 5_000;
/** One rate sample per this long at most. */
const RATE_SAMPLE_MS = 250;
interface Active {
  controller: AbortController;
  /** Set while a retry waits. */
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  samples: { at: number; bytes: number }[];
}

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
    if (request.name !== undefined) {
      await ensureFree(this.#options.root, request.folder, request.name);
    }
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
      rate: record.status === "downloading" && active
        ? rateOf(active.samples, this.#bytes.get(record.id) ?? record.bytes, this.#now().getTime())
        : null,
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

  /** One try (transfer.ts), its progress kept here; done when the file is in place. */
  async #try(id: number, active: Active): Promise<void> {
    const record = this.#get(id);
    let saved = record.bytes;
    const events: TransferEvents = {
      began: (bytes) => {
        this.#bytes.set(id, bytes);
        active.samples.push({ at: this.#now().getTime(), bytes });
        saved = bytes;
      },
      placed: (name, total, bytes) => this.#update(id, { name, total, bytes }),
      announced: (sha256) => this.#update(id, { sha256 }),
      checking: () => this.#update(id, { message: "checking its SHA-256" }),
      progressed: (bytes) => {
        this.#bytes.set(id, bytes);
        const now = this.#now().getTime();
        // A few samples a second, not one per chunk: at 1 GB/s that is 16 000 chunks a second.
        const last = active.samples.at(-1);
        if (last === undefined || now - last.at >= RATE_SAMPLE_MS) {
          active.samples.push({ at: now, bytes });
        }
        while ((active.samples[0]?.at ?? now) < now - RATE_WINDOW_MS) active.samples.shift();
        if (Math.abs(bytes - saved) >= SAVE_EVERY_BYTES) {
          this.#options.repository.update(id, { bytes });
          saved = bytes;
        }
        this.#progressed();
      },
    };
    const placed = await transferOnce(
      {
        id,
        url: record.url,
        folder: record.folder,
        name: record.name,
        sha256: record.sha256,
        token: this.#tokens.get(id),
      },
      {
        root: this.#options.root,
        fetch: this.#fetch,
        silenceMs: this.#options.silenceMs,
        halted: active.controller.signal,
      },
      events,
    );
    this.#active.delete(id);
    this.#bytes.delete(id);
    this.#tokens.delete(id);
    this.#update(id, {
      status: "done",
      name: placed.name,
      bytes: placed.bytes,
      total: placed.bytes,
      message: null,
      finishedAt: this.#now().toISOString(),
    });
    this.#tell(id);
    this.#options.repository.pruneDone(this.#options.keepDone);
    this.#pump();
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

  async #partSize(record: ModelDownloadRecord): Promise<number> {
    try {
      const info = await lstatBeneath(this.#options.root, partPath(record));
      return info?.isFile ? info.size : 0;
    } catch {
      return 0; // its folder went: it starts over, and says why then
    }
  }
}

/** Bytes per second from the oldest sample of the window to now; null before 0.5 s of it. */
function rateOf(
  samples: { at: number; bytes: number }[],
  bytesNow: number,
  now: number,
): number | null {
  const first = samples[0];
  const elapsed = first === undefined ? 0 : now - first.at;
  if (first === undefined || elapsed < 500) return null;
  return Math.round(((bytesNow - first.bytes) * 1000) / elapsed);
}
