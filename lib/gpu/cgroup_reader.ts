import {
  countCpuList,
  parseCgroupPaths,
  parseCpuMax,
  parseKeyValues,
  quotaCores,
} from "./proc_parse.ts";
import { isDirectory, readNumber, readText } from "./read_text.ts";

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

/** Reads cgroup v2 or v1 limits for this process, resolving its cgroup from /proc/self/cgroup. */
export class CgroupReader {
  constructor(private readonly cgroupRoot: string, private readonly procRoot: string) {}

  /** Null when no cgroup file system is mounted at the root. */
  read(): CgroupFigures | null {
    const paths = parseCgroupPaths(readText(`${this.procRoot}/self/cgroup`) ?? "");
    if (readText(`${this.cgroupRoot}/cgroup.controllers`) !== null) {
      return this.#readV2(this.#chain(this.cgroupRoot, paths.unified ?? "/"));
    }
    if (readText(`${this.cgroupRoot}/memory/memory.limit_in_bytes`) !== null) {
      return this.#readV1(paths.controllers);
    }
    return null;
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

  #readV1(controllers: Map<string, string>): CgroupFigures {
    const dir = (names: string[], controller: string) =>
      this.#v1Dir(names, controllers.get(controller) ?? "/");
    const memoryDir = dir(["memory"], "memory");
    const cpuDir = dir(["cpu", "cpu,cpuacct", "cpuacct,cpu"], "cpu");
    const cpuacctDir = dir(["cpuacct", "cpu,cpuacct", "cpuacct,cpu"], "cpuacct");
    const cpusetDir = dir(["cpuset"], "cpuset");
    let memory: CgroupFigures["memory"] = null;
    if (memoryDir) {
      const stat = parseKeyValues(readText(`${memoryDir}/memory.stat`) ?? "");
      // hierarchical_memory_limit includes the limits of ancestor cgroups.
      const limitBytes = Math.min(
        readNumber(`${memoryDir}/memory.limit_in_bytes`) ?? Infinity,
        stat.get("hierarchical_memory_limit") ?? Infinity,
      );
      const usage = readNumber(`${memoryDir}/memory.usage_in_bytes`);
      const inactive = stat.get("total_inactive_file") ?? stat.get("inactive_file") ?? 0;
      if (limitBytes < V1_UNLIMITED && usage !== null) {
        memory = { limitBytes, usedBytes: Math.max(0, usage - inactive) };
      }
    }
    const quota = cpuDir
      ? quotaCores(
        readNumber(`${cpuDir}/cpu.cfs_quota_us`) ?? -1,
        readNumber(`${cpuDir}/cpu.cfs_period_us`) ?? 0,
      )
      : null;
    const usageNs = cpuacctDir ? readNumber(`${cpuacctDir}/cpuacct.usage`) : null;
    const cpuset = cpusetDir
      ? readText(`${cpusetDir}/cpuset.effective_cpus`) ?? readText(`${cpusetDir}/cpuset.cpus`)
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

  /** The process's cgroup directory when visible, else the mount root (a cgroup namespace). */
  #v1Dir(names: string[], path: string): string | null {
    for (const name of names) {
      const mount = `${this.cgroupRoot}/${name}`;
      for (const dir of [join(mount, path), mount]) {
        if (isDirectory(dir)) return dir;
      }
    }
    return null;
  }

  /** The cgroup directory and its ancestors up to the mount root, nearest first. */
  #chain(mount: string, path: string): string[] {
    const parts = path.split("/").filter(Boolean);
    const chain: string[] = [];
    for (let depth = parts.length; depth >= 0; depth--) {
      chain.push(join(mount, "/" + parts.slice(0, depth).join("/")));
    }
    // Without a cgroup namespace the host path may not exist inside a container's mount.
    return chain.filter((dir) => dir === mount || isDirectory(dir));
  }
}

function join(root: string, path: string): string {
  return path === "/" || path === "" ? root : `${root}${path.startsWith("/") ? "" : "/"}${path}`;
}
