import { parseAuxv, parsePidStat } from "../procfs/mod.ts";
import { ProcessTable } from "./process_table.ts";
import { readText } from "../procfs/mod.ts";

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
  startTicks: number;
  ticks: number;
  at: number;
}

/**
 * Samples process trees over a ProcessTable (see there for what is read when). Only processes
 * inside the trees are read every sample. CPU% is the tree's tick delta between samples, with
 * reaped children's time included through cutime/cstime.
 */
export class ProcessTreeSampler {
  readonly #procRoot: string;
  readonly #table: ProcessTable;
  readonly #baselines = new Map<number, Baseline>();
  #units: { pageSize: number; clockTicks: number } | null = null;
  #namespace: PidNamespace | null = null;

  constructor(options: ProcessTreeSamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? "/proc";
    this.#table = new ProcessTable(this.#procRoot, options.fullScanEvery ?? 30);
  }

  /** Every pid of the latest /proc listing, less those seen to have exited since. */
  get livePids(): ReadonlySet<number> {
    return this.#table.livePids;
  }

  /** How many samples listed /proc (the others found the fork counter unchanged). */
  get listingCount(): number {
    return this.#table.listingCount;
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
    const table = this.#table;
    await table.update();
    const children = table.children();
    const members = new Set<number>();
    const trees = new Map<number, ProcessTreeSample>();
    for (const root of new Set(roots)) {
      const rootStat = table.read(root);
      if (!rootStat) continue;
      const pids = [root];
      let ticks = rootStat.ticks;
      let rssPages = rootStat.rssPages;
      for (let i = 0; i < pids.length; i++) {
        const parent = pids[i] ?? 0;
        for (const child of children.get(parent) ?? []) {
          const stat = table.read(child);
          if (table.shouldYield) await table.yield();
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
      const cpuPercent = previous && previous.startTicks === rootStat.startTicks && seconds > 0
        ? Math.max(0, ((ticks - previous.ticks) / units.clockTicks / seconds) * 100)
        : 0;
      this.#baselines.set(root, { startTicks: rootStat.startTicks, ticks, at });
      trees.set(root, { rootPid: root, pids, cpuPercent, rssBytes: rssPages * units.pageSize });
    }
    for (const root of this.#baselines.keys()) if (!trees.has(root)) this.#baselines.delete(root);
    table.keepOnly(members);
    return trees;
  }

  /** Closes the files kept open between samples; the next sample opens them again. */
  release(): void {
    this.#table.release();
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
