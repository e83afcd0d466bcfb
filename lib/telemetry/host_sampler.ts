import { statfs } from "node:fs/promises";
import type { MemorySource } from "../shared/stats.ts";
import { CgroupReader } from "./cgroup_reader.ts";
import { parseLoadavg, parseMeminfo, parseProcStat } from "./proc_parse.ts";
import { readText } from "../procfs/mod.ts";

/** Host (or container) resource figures at one moment. */
export interface HostSample {
  /** 0–100 of the cgroup CPU quota when one is set, else of all host CPUs; 0 on the first sample. */
  cpuPercent: number;
  /** Online CPUs, reduced by the cpuset and the cgroup quota (may be fractional). */
  cpuCount: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  memorySource: MemorySource;
  diskUsedBytes: number;
  diskTotalBytes: number;
  diskFreeBytes: number;
  loadAverage: [number, number, number];
}

/** Where to read from; the roots are overridable for tests with fixture files. */
export interface HostSamplerOptions {
  dataDir: string;
  procRoot?: string;
  cgroupRoot?: string;
  /** Milliseconds clock for CPU% under a quota; performance.now by default. */
  now?: () => number;
}

interface CpuBaseline {
  busy: number;
  total: number;
  cgroupSeconds: number | null;
  at: number;
}

/** Samples CPU, memory (cgroup-aware, page cache not counted) and the data directory's disk. */
export class HostSampler {
  readonly #dataDir: string;
  readonly #procRoot: string;
  readonly #cgroups: CgroupReader;
  readonly #now: () => number;
  #previous: CpuBaseline | null = null;

  constructor(options: HostSamplerOptions) {
    this.#dataDir = options.dataDir;
    this.#procRoot = options.procRoot ?? "/proc";
    this.#cgroups = new CgroupReader(options.cgroupRoot ?? "/sys/fs/cgroup", this.#procRoot);
    this.#now = options.now ?? (() => performance.now());
  }

  async sample(): Promise<HostSample> {
    const disk = await this.#disk();
    const at = this.#now();
    const times = parseProcStat(readText(`${this.#procRoot}/stat`) ?? "");
    const meminfo = parseMeminfo(readText(`${this.#procRoot}/meminfo`) ?? "");
    const cgroup = this.#cgroups.read();
    const quota = cgroup?.cpu?.quotaCores ?? null;
    const current: CpuBaseline = { ...times, cgroupSeconds: cgroup?.cpu?.usageSeconds ?? null, at };
    const cpuPercent = this.#cpuPercent(current, quota);
    this.#previous = current;

    const limit = cgroup?.memory;
    // A limit at or above the host's RAM limits nothing: show the host.
    const limited = limit && (meminfo.totalBytes === 0 || limit.limitBytes < meminfo.totalBytes);
    const cpuCounts = [times.cpuCount || 1, cgroup?.cpusetCount ?? Infinity, quota ?? Infinity];
    return {
      cpuPercent,
      cpuCount: Math.round(Math.min(...cpuCounts) * 100) / 100,
      memoryTotalBytes: limited ? limit.limitBytes : meminfo.totalBytes,
      memoryUsedBytes: limited
        ? Math.min(limit.usedBytes, limit.limitBytes)
        : Math.max(0, meminfo.totalBytes - meminfo.availableBytes),
      memorySource: limited ? (cgroup.version === "v2" ? "cgroup-v2" : "cgroup-v1") : "host",
      ...disk,
      loadAverage: parseLoadavg(readText(`${this.#procRoot}/loadavg`) ?? ""),
    };
  }

  #cpuPercent(current: CpuBaseline, quota: number | null): number {
    const previous = this.#previous;
    if (!previous) return 0;
    let percent: number;
    if (quota !== null && current.cgroupSeconds !== null && previous.cgroupSeconds !== null) {
      const seconds = (current.at - previous.at) / 1000;
      percent = seconds > 0
        ? ((current.cgroupSeconds - previous.cgroupSeconds) / seconds / quota) * 100
        : 0;
    } else {
      const total = current.total - previous.total;
      percent = total > 0 ? ((current.busy - previous.busy) / total) * 100 : 0;
    }
    return Math.min(100, Math.max(0, percent));
  }

  async #disk(): Promise<Pick<HostSample, "diskUsedBytes" | "diskTotalBytes" | "diskFreeBytes">> {
    try {
      const fs = await statfs(this.#dataDir);
      // Like df: used excludes the root reserve, free is what an unprivileged writer may use.
      return {
        diskTotalBytes: fs.blocks * fs.bsize,
        diskUsedBytes: (fs.blocks - fs.bfree) * fs.bsize,
        diskFreeBytes: fs.bavail * fs.bsize,
      };
    } catch {
      return { diskTotalBytes: 0, diskUsedBytes: 0, diskFreeBytes: 0 };
    }
  }
}
