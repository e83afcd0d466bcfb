import { listPids } from "./list_pids.ts";
import { parseAuxv, parsePidStat, type PidCounters } from "./pid_stat.ts";
import { PidStatFiles } from "./pid_stat_files.ts";
import { parseForkCount } from "./proc_parse.ts";
import { readText } from "./read_text.ts";

/** One instance's process tree at one moment. */
export interface ProcessTreeSample {
  rootPid: number;
  /** The root and all its descendants. */
  pids: number[];
  /** Percent of one core (like top) since the previous sample of this root; 0 the first time. */
  cpuPercent: number;
  /** Sum of RSS over the tree; pages shared between processes are counted in each. */
  rssBytes: number;
}

/** Whether this /proc shows the host's PID namespace (NVML reports host PIDs). */
export type PidNamespace = "host" | "nested";

/** Options; `procRoot` is for tests. */
export interface ProcessTreeSamplerOptions {
  procRoot?: string;
  /** Re-read every process's parent every this many samples (guards against pid reuse). Default 30. */
  fullScanEvery?: number;
}

interface Baseline {
  startTime: number;
  ticks: number;
  at: number;
}

const YIELD_EVERY = 256;

/**
 * Samples process trees. /proc is listed only when a task was created since the previous sample
 * (the fork counter in /proc/stat moved): otherwise the set of processes can only have shrunk. A
 * process's parent is read when it first appears (parents only change when a process is orphaned,
 * which moves it out of a tree); only processes inside the trees are read again, through files
 * kept open. CPU% is the tree's tick delta between samples.
 */
export class ProcessTreeSampler {
  readonly #procRoot: string;
  readonly #fullScanEvery: number;
  readonly #files: PidStatFiles;
  readonly #parents = new Map<number, number>();
  readonly #baselines = new Map<number, Baseline>();
  #livePids = new Set<number>();
  #forkCount: number | null = null;
  #samples = 0;
  #listings = 0;
  #units: { pageSize: number; clockTicks: number } | null = null;
  #namespace: PidNamespace | null = null;

  constructor(options: ProcessTreeSamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? "/proc";
    this.#fullScanEvery = options.fullScanEvery ?? 30;
    this.#files = new PidStatFiles(this.#procRoot);
  }

  /** Every pid of the latest /proc listing, less those seen to have exited since. */
  get livePids(): ReadonlySet<number> {
    return this.#livePids;
  }

  /** How many samples listed /proc (the others found the fork counter unchanged). */
  get listingCount(): number {
    return this.#listings;
  }

  /** "host" when kernel threads are visible (kthreadd is pid 2), i.e. not inside a container's PID namespace. */
  get pidNamespace(): PidNamespace {
    this.#namespace ??= this.#detectNamespace();
    return this.#namespace;
  }

  /** Trees for the roots that still exist, keyed by root pid. */
  async sample(roots: number[]): Promise<Map<number, ProcessTreeSample>> {
    const units = this.#units ??= readUnits(this.#procRoot);
    const at = performance.now();
    const fresh = new Map<number, PidCounters | null>();
    let reads = 0;
    let yieldAt = YIELD_EVERY;
    // Thousands of reads (a full scan on a busy host) must not hold the event loop in one go.
    const pause = () => {
      yieldAt = reads + YIELD_EVERY;
      return new Promise((resolve) => setTimeout(resolve, 0));
    };
    const read = (pid: number) => {
      if (fresh.has(pid)) return fresh.get(pid) ?? null;
      reads++;
      const stat = this.#files.read(pid);
      fresh.set(pid, stat);
      if (stat) this.#parents.set(pid, stat.ppid);
      else this.#forget(pid);
      return stat;
    };

    // Read the counter before listing: a task created in between makes the next sample list again.
    const forkCount = parseForkCount(readText(`${this.#procRoot}/stat`) ?? "");
    const fullScan = this.#samples++ % this.#fullScanEvery === 0;
    if (fullScan || forkCount === null || forkCount !== this.#forkCount) {
      this.#listings++;
      const live = listPids(this.#procRoot);
      if (fullScan) this.#parents.clear();
      for (const pid of this.#parents.keys()) if (!live.has(pid)) this.#parents.delete(pid);
      this.#livePids = live;
      for (const pid of live) {
        if (this.#parents.has(pid)) continue;
        read(pid);
        if (reads >= yieldAt) await pause();
      }
    }
    this.#forkCount = forkCount;

    const children = new Map<number, number[]>();
    for (const [pid, ppid] of this.#parents) {
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    }
    const members = new Set<number>();
    const trees = new Map<number, ProcessTreeSample>();
    for (const root of new Set(roots)) {
      const rootStat = read(root);
      if (!rootStat) continue;
      const pids = [root];
      let ticks = rootStat.ticks;
      let rssPages = rootStat.rssPages;
      for (let i = 0; i < pids.length; i++) {
        const parent = pids[i] ?? 0;
        for (const child of children.get(parent) ?? []) {
          const stat = read(child);
          if (reads >= yieldAt) await pause();
          // Gone, or orphaned since its parent was recorded: not part of this tree any more.
          if (!stat || stat.ppid !== parent) continue;
          pids.push(child);
          ticks += stat.ticks;
          rssPages += stat.rssPages;
        }
      }
      for (const pid of pids) members.add(pid);
      const previous = this.#baselines.get(root);
      const seconds = previous ? (at - previous.at) / 1000 : 0;
      const cpuPercent = previous && previous.startTime === rootStat.startTime && seconds > 0
        ? Math.max(0, ((ticks - previous.ticks) / units.clockTicks / seconds) * 100)
        : 0;
      this.#baselines.set(root, { startTime: rootStat.startTime, ticks, at });
      trees.set(root, { rootPid: root, pids, cpuPercent, rssBytes: rssPages * units.pageSize });
    }
    for (const root of this.#baselines.keys()) if (!trees.has(root)) this.#baselines.delete(root);
    this.#files.keepOnly(members);
    return trees;
  }

  /** Closes the files kept open between samples; the next sample opens them again. */
  release(): void {
    this.#files.close();
  }

  #forget(pid: number): void {
    this.#parents.delete(pid);
    this.#livePids.delete(pid);
  }

  #detectNamespace(): PidNamespace {
    const kthreadd = parsePidStat(readText(`${this.#procRoot}/2/stat`) ?? "");
    const nspid = /^NSpid:\s*(.*)$/m.exec(readText(`${this.#procRoot}/self/status`) ?? "")?.[1];
    // More than one NSpid value: this /proc belongs to an ancestor of our own PID namespace.
    if (nspid && nspid.trim().split(/\s+/).length > 1) return "nested";
    return kthreadd?.comm === "kthreadd" && kthreadd.ppid === 0 ? "host" : "nested";
  }
}

function readUnits(procRoot: string): { pageSize: number; clockTicks: number } {
  try {
    return parseAuxv(Deno.readFileSync(`${procRoot}/self/auxv`));
  } catch {
    return { pageSize: 4096, clockTicks: 100 };
  }
}
