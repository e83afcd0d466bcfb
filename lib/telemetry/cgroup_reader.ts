import { type CgroupLayout, type CgroupV1Dirs, resolveCgroupLayout } from "./cgroup_layout.ts";
import { countCpuList, parseCpuMax, parseKeyValues, quotaCores } from "./proc_parse.ts";
import { readNumber, readText } from "../procfs/mod.ts";

/** What the cgroup this process lives in limits and has used. */
export interface CgroupFigures {
  version: "v1" | "v2";
  /** The nearest memory limit and that cgroup's usage without reclaimable page cache; null = no limit. */
  memory: { limitBytes: number; usedBytes: number } | null;
  /** The nearest CPU quota in cores, with the cumulative CPU seconds of the limited cgroup. */
  cpu: { quotaCores: number; usageSeconds: number | null } | null;
  /** CPUs in the cpuset, null when unknown. */
  cpusetCount: number | null;
}

// v1 reports "no limit" as PAGE_COUNTER_MAX pages, about 2^63 bytes.
const V1_UNLIMITED = 2 ** 62;

// A process's cgroup is fixed in practice (container, systemd unit); re-resolve now and then anyway.
const RESOLVE_EVERY = 60;

/**
 * Reads cgroup v2 or v1 limits for this process, resolving its cgroup from /proc/self/cgroup.
 * Limits are read every time (`docker update` changes them); where they live is resolved once
 * every 60 reads.
 */
export class CgroupReader {
  #layout: CgroupLayout = null;
  #reads = 0;

  constructor(private readonly cgroupRoot: string, private readonly procRoot: string) {}

  /** Null when no cgroup file system is mounted at the root. */
  read(): CgroupFigures | null {
    if (this.#reads++ % RESOLVE_EVERY === 0) {
      this.#layout = resolveCgroupLayout(this.cgroupRoot, this.procRoot);
    }
    const layout = this.#layout;
    if (layout?.version === "v2") return this.#readV2(layout.chain);
    return layout ? this.#readV1(layout.dirs) : null;
  }

  #readV2(chain: string[]): CgroupFigures {
    const memoryDir = chain.find((dir) => {
      const max = readText(`${dir}/memory.max`)?.trim();
      return max !== undefined && max !== "max";
    });
    const cpuDir = chain.find((dir) => parseCpuMax(readText(`${dir}/cpu.max`) ?? "max") !== null);
    const leaf = chain[0] ?? this.cgroupRoot;
    const cpuset = readText(`${leaf}/cpuset.cpus.effective`);
    let memory: CgroupFigures["memory"] = null;
    if (memoryDir) {
      const limitBytes = readNumber(`${memoryDir}/memory.max`);
      const current = readNumber(`${memoryDir}/memory.current`);
      const inactive =
        parseKeyValues(readText(`${memoryDir}/memory.stat`) ?? "").get("inactive_file") ?? 0;
      if (limitBytes !== null && current !== null) {
        memory = { limitBytes, usedBytes: Math.max(0, current - inactive) };
      }
    }
    let cpu: CgroupFigures["cpu"] = null;
    if (cpuDir) {
      const usec = parseKeyValues(readText(`${cpuDir}/cpu.stat`) ?? "").get("usage_usec");
      cpu = {
        quotaCores: parseCpuMax(readText(`${cpuDir}/cpu.max`) ?? "") ?? 0,
        usageSeconds: usec === undefined ? null : usec / 1e6,
      };
    }
    return { version: "v2", memory, cpu, cpusetCount: cpuset ? countCpuList(cpuset) : null };
  }

  #readV1(dirs: CgroupV1Dirs): CgroupFigures {
    let memory: CgroupFigures["memory"] = null;
    if (dirs.memory) {
      const stat = parseKeyValues(readText(`${dirs.memory}/memory.stat`) ?? "");
      // hierarchical_memory_limit includes the limits of ancestor cgroups.
      const limitBytes = Math.min(
        readNumber(`${dirs.memory}/memory.limit_in_bytes`) ?? Infinity,
        stat.get("hierarchical_memory_limit") ?? Infinity,
      );
      const usage = limitBytes < V1_UNLIMITED
        ? readNumber(`${dirs.memory}/memory.usage_in_bytes`)
        : null;
      const inactive = stat.get("total_inactive_file") ?? stat.get("inactive_file") ?? 0;
      if (usage !== null) memory = { limitBytes, usedBytes: Math.max(0, usage - inactive) };
    }
    const quota = dirs.cpu
      ? quotaCores(
        readNumber(`${dirs.cpu}/cpu.cfs_quota_us`) ?? -1,
        readNumber(`${dirs.cpu}/cpu.cfs_period_us`) ?? 0,
      )
      : null;
    // Usage only matters against a quota.
    const usageNs = quota !== null && dirs.cpuacct
      ? readNumber(`${dirs.cpuacct}/cpuacct.usage`)
      : null;
    const cpuset = dirs.cpuset
      ? readText(`${dirs.cpuset}/cpuset.effective_cpus`) ?? readText(`${dirs.cpuset}/cpuset.cpus`)
      : null;
    return {
      version: "v1",
      memory,
      cpu: quota === null
        ? null
        : { quotaCores: quota, usageSeconds: usageNs === null ? null : usageNs / 1e9 },
      cpusetCount: cpuset ? countCpuList(cpuset) : null,
    };
  }
}
