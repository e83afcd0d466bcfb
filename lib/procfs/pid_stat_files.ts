import { C, openPath, tryLibc } from "../libc/mod.ts";
import { parsePidStatBytes, type PidCounters } from "./pid_stat.ts";
import { readBytes, readText } from "./read_file.ts";

const STAT_BYTES = 4096;
const STAT_BYTES_USIZE = BigInt(STAT_BYTES);

/**
 * Reads /proc/<pid>/stat, keeping the files of the processes sampled every time open: pread on an
 * open file costs a third of open + read + close. An open /proc/<pid> file belongs to its process,
 * not to the number: once the process is reaped it fails to read even if the pid is reused, and
 * the path is opened again.
 */
export class PidStatFiles {
  readonly #procRoot: string;
  readonly #maxKept: number;
  readonly #kept = new Map<number, number>();
  readonly #buffer = new Uint8Array(STAT_BYTES);

  /** `maxKept` bounds the file descriptors held between samples; by default 512, at most ¼ of the limit. */
  constructor(procRoot: string, maxKept?: number) {
    this.#procRoot = procRoot;
    this.#maxKept = maxKept ?? Math.min(512, Math.floor(openFilesLimit() / 4));
  }

  /** How many files are open. */
  get keptCount(): number {
    return this.#kept.size;
  }

  /** The process's counters, or null when it is gone. Keeps its file open (see `keepOnly`). */
  read(pid: number): PidCounters | null {
    const c = tryLibc();
    if (!c) {
      const bytes = readBytes(`${this.#procRoot}/${pid}/stat`);
      return bytes && parsePidStatBytes(bytes, bytes.byteLength);
    }
    const kept = this.#kept.get(pid);
    if (kept !== undefined) {
      const n = Number(c.pread(kept, this.#buffer, STAT_BYTES_USIZE, 0n));
      if (n > 0) return parsePidStatBytes(this.#buffer, n);
      c.close(kept);
      this.#kept.delete(pid);
    }
    const fd = openPath(c, `${this.#procRoot}/${pid}/stat`, C.O_RDONLY_CLOEXEC);
    if (fd === null || fd < 0) return null;
    const n = Number(c.read(fd, this.#buffer, STAT_BYTES_USIZE));
    if (n > 0 && this.#kept.size < this.#maxKept) this.#kept.set(pid, fd);
    else c.close(fd);
    return n > 0 ? parsePidStatBytes(this.#buffer, n) : null;
  }

  /** Closes the files of processes not in `pids`. */
  keepOnly(pids: ReadonlySet<number>): void {
    const c = tryLibc();
    for (const [pid, fd] of this.#kept) {
      if (pids.has(pid)) continue;
      c?.close(fd);
      this.#kept.delete(pid);
    }
  }

  /** Closes every kept file; later reads open them again. */
  close(): void {
    this.keepOnly(new Set());
  }
}

/** The soft RLIMIT_NOFILE from /proc/self/limits (Deno raises it to the hard limit); 1024 if unknown. */
function openFilesLimit(): number {
  const value = /^Max open files\s+(\d+|unlimited)/m.exec(readText("/proc/self/limits") ?? "")?.[1];
  if (value === "unlimited") return Infinity;
  return value === undefined ? 1024 : Number(value);
}
