/**
 * The one place that sends signals. It refuses targets that would hit everything (`kill(-1)`),
 * init, or AiKore itself, whatever a caller computed.
 */
import { readPidStat } from "../procfs/mod.ts";

/** Throws a RangeError when `pid` must never be signalled (≤ 1 or AiKore's own pid). */
export function assertSignalTarget(pid: number, what = "pid"): void {
  if (!Number.isSafeInteger(pid) || pid <= 1) {
    throw new RangeError(`Refusing to signal ${what} ${pid}: only values above 1 are allowed`);
  }
  if (pid === Deno.pid) {
    throw new RangeError(`Refusing to signal ${what} ${pid}: it is AiKore itself`);
  }
}

/** Sends `signal` to one process; false when it no longer exists (ESRCH) or is not ours. */
export function signalProcess(pid: number, signal: Deno.Signal): boolean {
  assertSignalTarget(pid);
  try {
    Deno.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Sends `signal` to a whole process group; false when the group is empty. */
export function signalGroup(pgid: number, signal: Deno.Signal): boolean {
  assertGroupTarget(pgid);
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Throws a RangeError when the group `pgid` must never be signalled (≤ 1, AiKore's own). */
export function assertGroupTarget(pgid: number): void {
  assertSignalTarget(pgid, "process group");
  if (pgid === ownProcessGroup()) {
    throw new RangeError(`Refusing to signal process group ${pgid}: it is AiKore's own group`);
  }
}

let ownGroup: number | null = null;

function ownProcessGroup(): number {
  ownGroup ??= readPidStat("self")?.pgid ?? null;
  if (ownGroup === null) throw new Error("Cannot read AiKore's own process group from /proc");
  return ownGroup;
}
