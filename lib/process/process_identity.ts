import { environHas, listLiveProcesses, type PidStat, readPidStat } from "../procfs/mod.ts";

/** The environment variable that tags every process of an instance (inherited by children). */
export const MARKER_VARIABLE = "AIKORE_INSTANCE_ID";

/** Throws a TypeError unless `marker` is usable as an exact environment value. */
export function assertMarker(marker: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(marker)) {
    throw new TypeError(
      `Invalid instance marker ${JSON.stringify(marker)}: use 1–128 letters, digits, _ . : -`,
    );
  }
}

/** What identifies a running process, from /proc/<pid>/stat. */
export interface ProcessIdentity {
  startTicks: number;
  pgid: number;
  sid: number;
  ppid: number;
  state: string;
}

/** Reads a process's identity; null when it does not exist. */
export function readProcessIdentity(pid: number): ProcessIdentity | null {
  const stat = readPidStat(pid);
  if (stat === null) return null;
  const { startTicks, pgid, sid, ppid, state } = stat;
  return { startTicks, pgid, sid, ppid, state };
}

/** True when /proc/<pid>/environ holds exactly AIKORE_INSTANCE_ID=<marker>. */
export function hasMarker(pid: number, marker: string): boolean {
  return environHas(pid, `${MARKER_VARIABLE}=${marker}`);
}

/**
 * True only when `pid` is alive, started at `startTicks`, and carries the marker: a pid that
 * the kernel reused for an unrelated process fails at least one of the three.
 */
export function isSameProcess(pid: number, startTicks: number, marker: string): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 1) return false;
  const identity = readProcessIdentity(pid);
  if (identity === null || identity.state === "Z" || identity.state === "X") return false;
  return identity.startTicks === startTicks && hasMarker(pid, marker);
}

/** Pids of every live process (other than AiKore) whose environment carries the marker. */
export function findMarkedProcesses(marker: string): number[] {
  assertMarker(marker);
  return listMarked(listLiveProcesses(), marker).map((p) => p.pid);
}

/** The subset of `processes` carrying the marker, never AiKore itself or pid ≤ 1. */
export function listMarked(processes: PidStat[], marker: string): PidStat[] {
  return processes.filter((p) => p.pid > 1 && p.pid !== Deno.pid && hasMarker(p.pid, marker));
}
