import { listPids } from "./list_pids.ts";
import { parsePidStat, type PidStat } from "./pid_stat.ts";
import { readBytes, readText } from "./read_file.ts";

const DEFAULT_ROOT = "/proc";
const latin1 = new TextDecoder("latin1");

/** A process's stat; null when it is gone or unreadable. */
export function readPidStat(pid: number | "self", procRoot = DEFAULT_ROOT): PidStat | null {
  const text = readText(`${procRoot}/${pid}/stat`);
  return text === null ? null : parsePidStat(text);
}

/** True when `stat` describes a dead process still waiting for its parent to reap it. */
export function isZombie(stat: Pick<PidStat, "state">): boolean {
  return stat.state === "Z" || stat.state === "X";
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number, procRoot = DEFAULT_ROOT): boolean {
  const stat = readPidStat(pid, procRoot);
  return stat !== null && !isZombie(stat);
}

/** The stat of every process that is not a zombie, in no particular order. */
export function listLiveProcesses(procRoot = DEFAULT_ROOT): PidStat[] {
  const stats: PidStat[] = [];
  for (const pid of listPids(procRoot)) {
    const stat = readPidStat(pid, procRoot);
    if (stat !== null && !isZombie(stat)) stats.push(stat);
  }
  return stats;
}

/**
 * The sessions in which a process other than the leader lives: for a shell that leads its
 * session, a foreground or background job (a download, a training), anything it started that did
 * not leave the session. One read of /proc for every session asked about.
 */
export function sessionsWithJobs(procRoot = DEFAULT_ROOT): Set<number> {
  const busy = new Set<number>();
  for (const stat of listLiveProcesses(procRoot)) if (stat.pid !== stat.sid) busy.add(stat.sid);
  return busy;
}

/**
 * The entries of /proc/<pid>/environ (as the process's memory shows them now: a program may
 * have overwritten them); null when unreadable.
 */
export function readEnviron(pid: number, procRoot = DEFAULT_ROOT): string[] | null {
  const bytes = readBytes(`${procRoot}/${pid}/environ`);
  // Decoded at once: readBytes returns a buffer that the next read reuses.
  return bytes === null ? null : latin1.decode(bytes).split("\0").filter((e) => e !== "");
}

/** True when /proc/<pid>/environ holds exactly `entry` ("NAME=value"). */
export function environHas(pid: number, entry: string, procRoot = DEFAULT_ROOT): boolean {
  return readEnviron(pid, procRoot)?.includes(entry) ?? false;
}
