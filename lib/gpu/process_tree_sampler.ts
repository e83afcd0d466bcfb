import { parseAuxv, parsePidStat, type PidStat } from "./pid_stat.ts";
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
 * Samples process trees. Each sample lists /proc once; a process's parent is read when it first
 * appears (parents only change when a process is orphaned, which moves it out of a tree), and
 * only processes inside the trees are read again. CPU% is the tree's tick delta between samples.
 */
export class ProcessTreeSampler {
  readonly #procRoot: string;
  readonly #fullScanEvery: number;
  readonly #parents = new Map<number, number>();
  readonly #baselines = new Map<number, Baseline>();
  #livePids: ReadonlySet<number> = new Set();
  #samples = 0;
  #units: { pageSize: number; clockTicks: number } | null = null;
  #namespace: PidNamespace | null = null;

  constructor(options: ProcessTreeSamplerOptions = {}) {
    this.#procRoot = options.procRoot ?? "/proc";
    this.#fullScanEvery = options.fullScanEvery ?? 30;
  }

  /** Every pid listed by the latest sample. */
  get livePids(): ReadonlySet<number> {
    return this.#livePids;
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
    const live = this.#listPids();
    if (this.#samples++ % this.#fullScanEvery === 0) this.#parents.clear();
    for (const pid of this.#parents.keys()) if (!live.has(pid)) this.#parents.delete(pid);
    const fresh = new Map<number, PidStat | null>();
    let reads = 0;
    const read = async (pid: number) => {
      if (++reads % YIELD_EVERY === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      const stat = parsePidStat(readText(`${this.#procRoot}/${pid}/stat`) ?? "");
      fresh.set(pid, stat);
      if (stat) this.#parents.set(pid, stat.ppid);
      return stat;
    };
    for (const pid of live) if (!this.#parents.has(pid)) await read(pid);

    const children = new Map<number, number[]>();
    for (const [pid, ppid] of this.#parents) {
      const list = children.get(ppid);
      if (list) list.push(pid);
      else children.set(ppid, [pid]);
    }
    const trees = new Map<number, ProcessTreeSample>();
    for (const root of new Set(roots)) {
      const rootStat = fresh.has(root) ? fresh.get(root) : await read(root);
      if (!rootStat) continue;
      const pids = [root];
      let ticks = rootStat.ticks;
      let rssPages = rootStat.rssPages;
      for (let i = 0; i < pids.length; i++) {
        const parent = pids[i] ?? 0;
        for (const child of children.get(parent) ?? []) {
          const stat = fresh.has(child) ? fresh.get(child) : await read(child);
          // Gone, or orphaned since its parent was recorded: not part of this tree any more.
          if (!stat || stat.ppid !== parent) continue;
          pids.push(child);
          ticks += stat.ticks;
          rssPages += stat.rssPages;
        }
      }
      const previous = this.#baselines.get(root);
      const seconds = previous ? (at - previous.at) / 1000 : 0;
      const cpuPercent = previous && previous.startTime === rootStat.startTime && seconds > 0
        ? Math.max(0, ((ticks - previous.ticks) / units.clockTicks / seconds) * 100)
        : 0;
      this.#baselines.set(root, { startTime: rootStat.startTime, ticks, at });
      trees.set(root, { rootPid: root, pids, cpuPercent, rssBytes: rssPages * units.pageSize });
    }
    for (const root of this.#baselines.keys()) if (!trees.has(root)) this.#baselines.delete(root);
    this.#livePids = live;
    return trees;
  }

  #listPids(): Set<number> {
    const pids = new Set<number>();
    for (const entry of Deno.readDirSync(this.#procRoot)) {
      const code = entry.name.charCodeAt(0);
      if (code >= 48 && code <= 57) pids.add(Number(entry.name));
    }
    return pids;
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
