/** The fields of /proc/<pid>/stat that the supervisor uses. */
export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgid: number;
  sid: number;
  /** Field 22: start time in clock ticks after boot; with the pid it identifies a process. */
  startTicks: number;
}

/**
 * Parses one /proc/<pid>/stat line. `comm` may contain spaces and parentheses, so the fields
 * are split after the LAST ")" rather than on whitespace from the start.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 1 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const [state, ppid, pgid, sid] = [rest[0], rest[1], rest[2], rest[3]];
  const startTicks = rest[19];
  if (state === undefined || startTicks === undefined) return null;
  const numbers = [pid, Number(ppid), Number(pgid), Number(sid), Number(startTicks)];
  if (!numbers.every(Number.isSafeInteger)) return null;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state,
    ppid: Number(ppid),
    pgid: Number(pgid),
    sid: Number(sid),
    startTicks: Number(startTicks),
  };
}

/** Reads /proc/<pid>/stat; null when the process is gone or unreadable. */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/** Every numeric entry of /proc (live processes and zombies, in no particular order). */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (/^\d+$/.test(entry.name)) pids.push(Number(entry.name));
  }
  return pids;
}

/** Stats of every process that is not a zombie (zombies are dead, only awaiting a reaper). */
export function listLiveProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat !== null && stat.state !== "Z" && stat.state !== "X") stats.push(stat);
  }
  return stats;
}
