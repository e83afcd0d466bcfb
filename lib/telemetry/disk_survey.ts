import { statfs } from "node:fs/promises";
import type { Logger } from "../log/mod.ts";
import {
  DISK_DEPTH,
  type DiskFolder,
  type DiskSurveyState,
  type DiskUsageReport,
} from "../shared/disk_usage.ts";
import type { FsSpace } from "./disk_space_watch.ts";
import { concatBytes } from "../shared/bytes.ts";

/** What one measurement found: the folder tree, and how many folders it could not read. */
export interface MeasuredTree {
  root: DiskFolder;
  unreadable: number;
}

/** The most `du` may print (a tree this deep holds far less; beyond it the rest is left out). */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * What `root` holds, down to `depth` levels, measured by coreutils' `du` at the lowest CPU
 * priority: allocated bytes (what fills a disk), links not followed, other file systems left out
 * (`-x`), hard links counted once, names NUL-terminated (a name may hold a newline). `du` walks
 * 163 000 entries in 1-2 s of wall time here (0.9-1.5 s of CPU), in a process of its own:
 * AiKore's event loop never waits on it.
 * A folder it cannot read is counted in `unreadable`; its size is then too low, not refused.
 */
export async function measureTree(
  root: string,
  depth: number,
  signal: AbortSignal,
): Promise<MeasuredTree> {
  const real = await Deno.realPath(root);
  const child = new Deno.Command("nice", {
    args: ["-n", "19", "du", "-B1", "-x", "-0", `--max-depth=${depth}`, "--", real],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const [stdout, stderr, status] = await Promise.all([
    readAtMost(child.stdout, MAX_OUTPUT_BYTES),
    readAtMost(child.stderr, 64 * 1024),
    child.status,
  ]);
  if (signal.aborted) throw signal.reason ?? new Error("the measurement was stopped");
  const tree = parseDuOutput(real, stdout);
  if (tree === null) {
    const reason = new TextDecoder().decode(stderr).trim().split("\n")[0] ?? "";
    throw new Error(`du exited with ${status.code}${reason ? `: ${reason}` : ""}`);
  }
  const unreadable = new TextDecoder().decode(stderr).split("\n")
    .filter((line) => line.startsWith("du:")).length;
  return { root: tree, unreadable };
}

/** Reads a stream to its end, keeping at most `limit` bytes. */
async function readAtMost(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let kept = 0;
  for await (const chunk of stream) {
    if (kept >= limit) continue; // drain, so the child never blocks on a full pipe
    const part = chunk.subarray(0, limit - kept);
    parts.push(part);
    kept += part.length;
  }
  return concatBytes(parts);
}

/**
 * The tree of `du -0` records ("BYTES\tPATH\0", children before their parents) under `root`, or
 * null when the root's own record is missing (du failed before it). A record cut short by the
 * output limit is dropped.
 */
export function parseDuOutput(root: string, output: Uint8Array): DiskFolder | null {
  const decoder = new TextDecoder();
  const folders = new Map<string, DiskFolder>();
  const folderAt = (path: string): DiskFolder => {
    let folder = folders.get(path);
    if (folder !== undefined) return folder;
    const slash = path.lastIndexOf("/");
    folder = { name: path.slice(slash + 1), bytes: 0, label: null, folders: [] };
    folders.set(path, folder);
    if (path !== "") folderAt(slash < 0 ? "" : path.slice(0, slash)).folders.push(folder);
    return folder;
  };
  let rootSeen = false;
  let start = 0;
  for (let end = output.indexOf(0, start); end >= 0; end = output.indexOf(0, start)) {
    const record = decoder.decode(output.subarray(start, end));
    start = end + 1;
    const tab = record.indexOf("\t");
    const bytes = Number(record.slice(0, tab));
    const path = record.slice(tab + 1);
    if (tab < 0 || !Number.isSafeInteger(bytes)) continue;
    if (path === root) {
      folderAt("").bytes = bytes;
      rootSeen = true;
    } else if (path.startsWith(`${root}/`)) {
      folderAt(path.slice(root.length + 1)).bytes = bytes;
    }
  }
  if (!rootSeen) return null;
  const sort = (folder: DiskFolder): void => {
    folder.folders.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
    folder.folders.forEach(sort);
  };
  const top = folderAt("");
  sort(top);
  return top;
}

export interface DiskSurveyOptions {
  /** The folder measured (AiKore's data folder). */
  dataDir: string;
  logger: Logger;
  /** Levels below the data folder (default DISK_DEPTH). */
  depth?: number;
  /** A measurement still running after this long is stopped and reported failed (default 10 min). */
  timeoutMs?: number;
  /** statfs (tests give their own). */
  statfs?: (path: string) => Promise<FsSpace & { bfree: number }>;
  /** The measuring itself (tests give their own to hold one open). */
  measure?: (root: string, depth: number, signal: AbortSignal) => Promise<MeasuredTree>;
}

/**
 * The data folder's disk usage, measured on demand (a walk of a large folder costs the disk
 * real work, so nothing measures on a timer): one measurement at a time, the last one kept for
 * everyone who asks, and a waiting read that answers once the report changes.
 */
export class DiskSurvey {
  #state: DiskSurveyState = "none";
  #serial = 0;
  #measuredAt: string | null = null;
  #durationMs: number | null = null;
  #problem: string | null = null;
  #disk: DiskUsageReport["disk"] = null;
  #root: DiskFolder | null = null;
  #running: Promise<void> | null = null;
  readonly #stopping = new AbortController();
  readonly #waiters = new Set<() => void>();

  constructor(private readonly options: DiskSurveyOptions) {}

  /** The last measurement, and whether one is running. */
  report(): DiskUsageReport {
    return {
      version: `d${this.#serial}`,
      state: this.#state,
      measured_at: this.#measuredAt,
      duration_ms: this.#durationMs,
      problem: this.#problem,
      disk: this.#disk,
      root: this.#root,
    };
  }

  /**
   * Starts a measurement unless one is running (then it is the one waited on). Resolves when it
   * ends; never rejects: a failure is the report's `problem`, and logged.
   */
  measure(): Promise<void> {
    if (this.#stopping.signal.aborted) return Promise.resolve();
    this.#running ??= this.#run().finally(() => (this.#running = null));
    return this.#running;
  }

  /**
   * The report once its version differs from `since`, or after `waitMs`, or when `signal`
   * aborts (a client that went away), whichever comes first.
   */
  async changed(since: string, waitMs: number, signal?: AbortSignal): Promise<DiskUsageReport> {
    if (this.report().version !== since) return this.report();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener("abort", done);
      this.#waiters.add(done);
    });
    return this.report();
  }

  /** Stops a running measurement and waits for it; no new one starts after. */
  async close(): Promise<void> {
    this.#stopping.abort(new Error("AiKore is stopping"));
    await this.#running;
    for (const wake of [...this.#waiters]) wake();
  }

  async #run(): Promise<void> {
    this.#set("measuring");
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10 * 60_000);
    const signal = AbortSignal.any([this.#stopping.signal, timeout]);
    const depth = this.options.depth ?? DISK_DEPTH;
    const measure = this.options.measure ?? measureTree;
    try {
      const [tree, space] = await Promise.all([
        measure(this.options.dataDir, depth, signal),
        (this.options.statfs ?? statfs)(this.options.dataDir),
      ]);
      this.#root = tree.root;
      this.#disk = {
        total: space.blocks * space.bsize,
        used: (space.blocks - space.bfree) * space.bsize,
        free: space.bavail * space.bsize,
      };
      this.#measuredAt = new Date().toISOString();
      this.#durationMs = Math.round(performance.now() - started);
      this.#problem = tree.unreadable === 0
        ? null
        : `${tree.unreadable} folder(s) could not be read; their sizes are not counted`;
      this.#set("done");
    } catch (error) {
      const why = timeout.aborted
        ? "the measurement took too long and was stopped"
        : error instanceof Error
        ? error.message
        : String(error);
      this.#problem = why;
      this.options.logger.warn("disk usage measurement failed", {
        path: this.options.dataDir,
        error: why,
      });
      this.#set("failed");
    }
  }

  #set(state: DiskSurveyState): void {
    this.#state = state;
    this.#serial++;
    for (const wake of [...this.#waiters]) wake();
  }
}
