import { lstatBeneath, openBeneathSync, PathRefused } from "../fs/mod.ts";
import type { InstancePaths } from "./instance_paths.ts";
import { FolderChangeWatch } from "./folder_change_watch.ts";
import { lastLines } from "./log_plain_text.ts";
import { type LogMatch, scanFile, SearchSlots } from "./log_search.ts";

export type { LogMatch } from "./log_search.ts";

/** Most bytes one `GET …/logs` returns; the client asks again from the new offset. */
export const LOG_CHUNK_BYTES = 1024 * 1024;

/** How many lines of a failed run's log its row shows, read from at most the last 8 KiB. */
export const LAST_OUTPUT_LINES = 8;
const LAST_OUTPUT_BYTES = 8192;

/** The longest a reader may wait for new output in one request. */
export const MAX_LOG_WAIT_MS = 30_000;

/** A log read: text from `offset` and the offset to continue from (Python-compatible `size`). */
export interface LogChunk {
  content: string;
  size: number;
  /** True when the file was rotated or truncated since `offset`; reading restarted. */
  reset: boolean;
}

/**
 * Reads an instance's log files (current run plus rotated copies). Every open is confined to
 * the instances folder and follows no symbolic link (an app can plant one in its own folder).
 */
export class InstanceLogs {
  readonly #searches: SearchSlots;
  readonly #changes: FolderChangeWatch;
  /** The last lines per instance, by the log's size and mtime: a stream of events costs a stat. */
  readonly #lastOutput = new Map<string, { size: number; mtime: number; lines: string[] }>();

  constructor(
    private readonly paths: InstancePaths,
    searchSlots = 1,
    searchQueue = 8,
    watchedFolders = 32,
  ) {
    this.#searches = new SearchSlots(searchSlots, searchQueue);
    this.#changes = new FolderChangeWatch(watchedFolders);
  }

  /** Logs folders watched for waiting readers now. */
  get watchedFolders(): number {
    return this.#changes.watchedFolders;
  }

  /** The current log file, then rotated copies newest first, that exist; a link is a 409. */
  async files(slug: string): Promise<string[]> {
    const base = this.paths.logFile(slug);
    const files: string[] = [];
    for (const candidate of [base, `${base}.1`, `${base}.2`, `${base}.3`]) {
      const info = await lstatBeneath(this.paths.instancesRoot, candidate);
      if (info && !info.isFile) {
        const name = candidate.slice(this.paths.instancesRoot.length + 1);
        throw new PathRefused(name, "it is not a regular file (a symbolic link?)");
      }
      if (info) files.push(candidate);
    }
    return files;
  }

  /** Opens one log file for reading, confined; null when absent. */
  open(path: string): Deno.FsFile | null {
    try {
      return openBeneathSync(this.paths.instancesRoot, path, "read");
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return null;
      throw error;
    }
  }

  /** Bytes from `offset` (at most LOG_CHUNK_BYTES); a stale offset restarts at the tail. */
  async read(slug: string, offset: number): Promise<LogChunk> {
    const file = this.open(this.paths.logFile(slug));
    if (!file) return { content: "", size: 0, reset: offset > 0 };
    try {
      const { size } = await file.stat();
      let start = offset;
      let reset = false;
      if (start > size) {
        start = Math.max(0, size - LOG_CHUNK_BYTES);
        reset = true;
      }
      const bytes = await readRange(file, start, Math.min(size - start, LOG_CHUNK_BYTES));
      return { content: new TextDecoder().decode(bytes), size: start + bytes.length, reset };
    } finally {
      file.close();
    }
  }

  /**
   * Like `read`, but when nothing is new past `offset` it waits up to `waitMs` for the logs
   * folder to change (inotify: the holder's write, a rotation) or for `signal`, then reads
   * again: a follower gets output as it is logged without asking over and over. Answers at
   * once where no watch can be had (no logs folder yet, a link in its place, too many folders
   * watched); the caller then paces itself.
   */
  async readWaiting(
    slug: string,
    offset: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<LogChunk> {
    const first = await this.read(slug, offset);
    if (waitMs <= 0 || first.content !== "" || first.reset || signal.aborted) return first;
    const folder = this.paths.logsDir(slug);
    const info = await lstatBeneath(this.paths.instancesRoot, folder);
    if (!info?.isDirectory) return first;
    const wait = this.#changes.watch(folder);
    if (!wait) return first;
    try {
      // What was logged between the first read and the start of the watch.
      const again = await this.read(slug, offset);
      if (again.content !== "" || again.reset) return again;
      await wait.until(Math.min(waitMs, MAX_LOG_WAIT_MS), signal);
      return await this.read(slug, offset);
    } finally {
      wait.release();
    }
  }

  /**
   * The last readable lines of the current log (colours, redraws and blank lines removed), for
   * the row of a failed run; null when there is no log or it cannot be read (a link or a pipe in
   * its place: the confined open takes regular files only).
   */
  lastOutput(slug: string): string[] | null {
    let file: Deno.FsFile | null = null;
    try {
      file = openBeneathSync(this.paths.instancesRoot, this.paths.logFile(slug), "read");
      const info = file.statSync();
      const mtime = info.mtime?.getTime() ?? 0;
      const hit = this.#lastOutput.get(slug);
      if (hit && hit.size === info.size && hit.mtime === mtime) return hit.lines;
      const start = Math.max(0, info.size - LAST_OUTPUT_BYTES);
      file.seekSync(start, Deno.SeekMode.Start);
      const buffer = new Uint8Array(info.size - start);
      let read = 0;
      while (read < buffer.length) {
        const n = file.readSync(buffer.subarray(read));
        if (n === null || n === 0) break;
        read += n;
      }
      let text = new TextDecoder().decode(buffer.subarray(0, read));
      if (start > 0) text = text.slice(text.indexOf("\n") + 1); // the first line of a tail is partial
      const lines = lastLines(text, LAST_OUTPUT_LINES);
      if (this.#lastOutput.size > 500) this.#lastOutput.clear();
      this.#lastOutput.set(slug, { size: info.size, mtime, lines });
      return lines;
    } catch {
      return null;
    } finally {
      file?.close();
    }
  }

  /** The last `bytes` of the current log, for console replay of a stopped instance. */
  async tail(slug: string, bytes: number): Promise<Uint8Array> {
    const file = this.open(this.paths.logFile(slug));
    if (!file) return new Uint8Array();
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - bytes);
      return await readRange(file, start, size - start);
    } finally {
      file.close();
    }
  }

  /**
   * Lines containing `query` (case-insensitive), oldest file first, at most `limit`, streamed
   * chunk by chunk. Files are opened (and refused, 409) before the first match; searches beyond
   * the concurrency bound wait, and beyond the queue get a 429.
   */
  async searchStream(
    slug: string,
    query: string,
    limit: number,
  ): Promise<{ matches: AsyncGenerator<LogMatch>; cancel: () => void }> {
    const release = await this.#searches.acquire();
    const opened: Array<{ file: Deno.FsFile; name: string }> = [];
    try {
      for (const path of (await this.files(slug)).reverse()) {
        const file = this.open(path);
        if (file) opened.push({ file, name: path.slice(path.lastIndexOf("/") + 1) });
      }
    } catch (error) {
      for (const { file } of opened) file.close();
      release();
      throw error;
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const { file } of opened) closeQuietly(file);
      release();
    };
    return { matches: matches(opened, query.toLowerCase(), limit, finish), cancel: finish };
  }

  /** The search as a JSON body `{"matches":[…]}` written match by match as they are found. */
  async searchJson(
    slug: string,
    query: string,
    limit: number,
  ): Promise<ReadableStream<Uint8Array>> {
    const { matches, cancel } = await this.searchStream(slug, query, limit);
    const encoder = new TextEncoder();
    let first = true;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`{"matches":[`));
      },
      async pull(controller) {
        try {
          const next = await matches.next();
          if (next.done) {
            controller.enqueue(encoder.encode("]}"));
            controller.close();
            return;
          }
          controller.enqueue(encoder.encode(`${first ? "" : ","}${JSON.stringify(next.value)}`));
          first = false;
        } catch (error) {
          cancel();
          controller.error(error);
        }
      },
      cancel() {
        cancel();
        return matches.return(undefined).then(() => {});
      },
    }, { highWaterMark: 0 });
  }

  /** All matches at once (CLI and tests); the route streams instead. */
  async search(slug: string, query: string, limit: number): Promise<LogMatch[]> {
    const found: LogMatch[] = [];
    const { matches } = await this.searchStream(slug, query, limit);
    for await (const match of matches) found.push(match);
    return found;
  }
}

async function* matches(
  opened: Array<{ file: Deno.FsFile; name: string }>,
  needle: string,
  limit: number,
  finish: () => void,
): AsyncGenerator<LogMatch> {
  let count = 0;
  try {
    for (const { file, name } of opened) {
      for await (const match of scanFile(file, name, needle)) {
        yield match;
        if (++count >= limit) return;
      }
    }
  } finally {
    finish();
  }
}

function closeQuietly(file: Deno.FsFile): void {
  try {
    file.close();
  } catch {
    // already closed by the scan that read it
  }
}

async function readRange(file: Deno.FsFile, start: number, length: number): Promise<Uint8Array> {
  if (length <= 0) return new Uint8Array();
  await file.seek(start, Deno.SeekMode.Start);
  const buffer = new Uint8Array(length);
  let read = 0;
  while (read < length) {
    const n = await file.read(buffer.subarray(read));
    if (n === null) break;
    read += n;
  }
  return buffer.subarray(0, read);
}
