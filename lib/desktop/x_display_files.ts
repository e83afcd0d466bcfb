import { readPartBeneathSync } from "../fs/mod.ts";
import { readProcessIdentity } from "../process/mod.ts";

/** The X server lock file of a display (holds the server's pid, 10 characters + newline). */
export const xLockPath = (display: number) => `/tmp/.X${display}-lock`;
/** An X lock holds a pid in 10 characters and a newline; more than this is not a lock. */
const X_LOCK_MAX_BYTES = 32;
/** The X server's socket in the filesystem. */
export const xSocketPath = (display: number) => `/tmp/.X11-unix/X${display}`;

/**
 * The pid in a display's X lock file; null when there is no lock file, NaN when unreadable.
 * /tmp is everyone's: the lock is read without following a link, and a pipe or other non-file
 * planted there is "unreadable" at once instead of a read that waits for a writer.
 */
export function readXLockPid(display: number): number | null {
  let head: Uint8Array | null;
  try {
    head = readPartBeneathSync("/tmp", xLockPath(display), X_LOCK_MAX_BYTES, "head");
  } catch {
    return NaN;
  }
  if (head === null) return null;
  const pid = Number(new TextDecoder().decode(head).trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : NaN;
}

function alive(pid: number): boolean {
  const identity = readProcessIdentity(pid);
  return identity !== null && identity.state !== "Z" && identity.state !== "X";
}

/**
 * True when some X server (ours or not) holds the display by the X convention: a lock file
 * naming a live process. An unreadable lock counts as held; a dead pid's lock is stale.
 */
export function xDisplayHeld(display: number): boolean {
  const pid = readXLockPid(display);
  if (pid === null) return false;
  return Number.isNaN(pid) || alive(pid);
}

/**
 * Removes the lock file and socket an X server left when it was killed, only when the lock
 * names `serverPid` (our dead server) or nothing readable is left of it.
 */
export function removeDeadXFiles(display: number, serverPid: number): void {
  const pid = readXLockPid(display);
  if (pid !== null && (pid !== serverPid || alive(pid))) return;
  for (const path of [xLockPath(display), xSocketPath(display)]) {
    try {
      Deno.removeSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
