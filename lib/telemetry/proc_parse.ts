/** Pure parsers for /proc and cgroup text files. */

/** Aggregate CPU jiffies from the first line of /proc/stat, and the number of online CPUs. */
export interface CpuTimes {
  busy: number;
  total: number;
  cpuCount: number;
}

/** Parses /proc/stat: busy = everything but idle and iowait. */
export function parseProcStat(text: string): CpuTimes {
  let busy = 0;
  let total = 0;
  let cpuCount = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("cpu ")) {
      // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
      const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
      total = fields.reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
      busy = total - (fields[3] ?? 0) - (fields[4] ?? 0);
    } else if (/^cpu\d+ /.test(line)) {
      cpuCount++;
    }
  }
  return { busy, total, cpuCount };
}

/** The `processes` line of /proc/stat: tasks (processes and threads) created since boot; null if absent. */
export function parseForkCount(text: string): number | null {
  const at = text.indexOf("\nprocesses ");
  if (at < 0) return null;
  const value = parseInt(text.slice(at + 11, at + 32), 10);
  return Number.isFinite(value) ? value : null;
}

/** "Key value" lines (memory.stat, cpu.stat) and "Key: value kB" lines (meminfo) as numbers. */
export function parseKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([\w()]+):?\s+(\d+)(\s+kB)?/.exec(line);
    if (match?.[1] && match[2]) values.set(match[1], Number(match[2]) * (match[3] ? 1024 : 1));
  }
  return values;
}

const MEMINFO_KEYS = /^(MemTotal|MemAvailable|MemFree|Cached|Buffers):\s+(\d+)/gm;

/** MemTotal and MemAvailable from /proc/meminfo, in bytes (values are in KiB). */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } {
  const kib = new Map<string, number>();
  for (const [, key = "", value] of text.matchAll(MEMINFO_KEYS)) kib.set(key, Number(value) * 1024);
  const totalBytes = kib.get("MemTotal") ?? 0;
  // Kernels before 3.14 lack MemAvailable; free + page cache is the usual approximation.
  const availableBytes = kib.get("MemAvailable") ??
    (kib.get("MemFree") ?? 0) + (kib.get("Cached") ?? 0) + (kib.get("Buffers") ?? 0);
  return { totalBytes, availableBytes };
}

/** The three load averages from /proc/loadavg. */
export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  return [a ?? 0, b ?? 0, c ?? 0];
}

/** Cgroup paths of this process from /proc/self/cgroup: v2 path and v1 path per controller. */
export interface CgroupPaths {
  unified: string | null;
  controllers: Map<string, string>;
}

/** Parses /proc/<pid>/cgroup lines "id:controllers:path". */
export function parseCgroupPaths(text: string): CgroupPaths {
  const paths: CgroupPaths = { unified: null, controllers: new Map() };
  for (const line of text.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers = "", path = "/"] = match;
    if (id === "0" && controllers === "") paths.unified = path;
    for (const controller of controllers.split(",")) {
      if (controller) paths.controllers.set(controller, path);
    }
  }
  return paths;
}

/** Number of CPUs in a cpuset list such as "0-3,8,10-11". */
export function countCpuList(text: string): number {
  let count = 0;
  for (const part of text.trim().split(",")) {
    if (!part) continue;
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || !Number.isInteger(from)) continue;
    count += to !== undefined && Number.isInteger(to) && to >= from ? to - from + 1 : 1;
  }
  return count;
}

/** CPU quota in cores from cgroup v2 cpu.max ("max 100000" or "150000 100000"); null = no quota. */
export function parseCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  return quotaCores(Number(quota), Number(period ?? 100000));
}

/** CPU quota in cores from cgroup v1 cfs_quota_us / cfs_period_us; -1 means no quota. */
export function quotaCores(quotaUs: number, periodUs: number): number | null {
  return Number.isFinite(quotaUs) && quotaUs > 0 && periodUs > 0 ? quotaUs / periodUs : null;
}
