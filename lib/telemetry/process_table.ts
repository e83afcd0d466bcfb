import { listPids } from "../procfs/mod.ts";
import type { PidCounters } from "../procfs/mod.ts";
import { PidStatFiles } from "../procfs/mod.ts";
import { parseForkCount } from "./proc_parse.ts";
import { readText } from "../procfs/mod.ts";

const YIELD_EVERY = 256;

/**
 * Every process's parent, kept current cheaply. /proc is listed only when a task was created since
 * the previous update (the fork counter in /proc/stat moved; otherwise the set of processes can
 * only have shrunk) and on every `fullScanEvery`th update. A process's parent is read when it first
 * appears and again on full scans (against pid reuse); parents only change when a process is
 * orphaned. Reads go through PidStatFiles, which keeps the files of processes read every time open.
 */
export class ProcessTable {
  readonly #procRoot: string;
  readonly #fullScanEvery: number;
  readonly #files: PidStatFiles;
  readonly #parents = new Map<number, number>();
  /** This update's reads: each process is read at most once per update. */
  readonly #fresh = new Map<number, PidCounters | null>();
  #livePids = new Set<number>();
  #forkCount: number | null = null;
  #listNext = false;
  #updates = 0;
  #listings = 0;
  #reads = 0;
  #yieldAt = YIELD_EVERY;

  constructor(procRoot: string, fullScanEvery: number) {
    this.#procRoot = procRoot;
    this.#fullScanEvery = fullScanEvery;
    this.#files = new PidStatFiles(procRoot);
  }

  /** Every pid of the latest /proc listing, less those seen to have exited since. */
  get livePids(): ReadonlySet<number> {
    return this.#livePids;
  }

  /** How many updates listed /proc. */
  get listingCount(): number {
    return this.#listings;
  }

  /** Starts a sample: lists /proc when needed and reads the processes that appeared. */
  async update(): Promise<void> {
    this.#fresh.clear();
    this.#yieldAt = this.#reads + YIELD_EVERY;
    // Read the counter before listing: a task created in between makes the next update list again.
    const forkCount = parseForkCount(readText(`${this.#procRoot}/stat`) ?? "");
    const fullScan = this.#updates++ % this.#fullScanEvery === 0;
    if (fullScan || this.#listNext || forkCount === null || forkCount !== this.#forkCount) {
      this.#listNext = false;
      this.#listings++;
      const live = listPids(this.#procRoot);
      if (fullScan) this.#parents.clear();
      for (const pid of this.#parents.keys()) if (!live.has(pid)) this.#parents.delete(pid);
      this.#livePids = live;
      for (const pid of live) {
        if (this.#parents.has(pid)) continue;
        this.read(pid);
        if (this.shouldYield) await this.yield();
      }
    }
    this.#forkCount = forkCount;
  }

  /** The process's counters, read once per update; null when it is gone. */
  read(pid: number): PidCounters | null {
    const known = this.#fresh.get(pid);
    if (known !== undefined) return known;
    this.#reads++;
    const stat = this.#files.read(pid);
    this.#fresh.set(pid, stat);
    if (stat) {
      this.#parents.set(pid, stat.ppid);
    } else {
      // Gone or, rarely, unreadable for now: then the next listing finds it again.
      if (this.#parents.delete(pid)) this.#listNext = true;
      this.#livePids.delete(pid);
    }
    return stat;
  }

  /** Children by parent pid, as last read. */
  children(): Map<number, number[]> {
    const children = new Map<number, number[]>();
    for (const [pid, ppid] of this.#parents) {
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    }
    return children;
  }

  /** Whether enough reads ran since the last yield that the event loop should get a turn. */
  get shouldYield(): boolean {
    return this.#reads >= this.#yieldAt;
  }

  /** Lets the event loop run (thousands of reads on a busy host must not hold it in one go). */
  yield(): Promise<void> {
    this.#yieldAt = this.#reads + YIELD_EVERY;
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  /** Keeps open only the files of `pids` (the processes read every sample). */
  keepOnly(pids: ReadonlySet<number>): void {
    this.#files.keepOnly(pids);
  }

  /** Closes every kept file; later reads open them again. */
  release(): void {
    this.#files.close();
  }
}
