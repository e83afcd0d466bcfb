/**
 * One AiKore per data directory. A second one would kill the first one's nginx and instances
 * at its boot sweep. The lock is a kernel file lock (flock) on `<data>/aikore.lock`: the kernel
 * drops it when its holder dies, even by kill -9, so a stale lock cannot block a restart. The
 * file names the holder (pid and /proc start time) for the refusal message.
 */
import { readPidStat } from "../procfs/mod.ts";

/** A held lock; `release()` (or the end of the process) frees it. */
export interface DataDirLock {
  path: string;
  release(): void;
}

/** Thrown when another live AiKore holds the lock. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly holderPid: number | null) {
    super(
      `another AiKore (pid ${holderPid ?? "unknown"}) is already using the data directory ` +
        `${dataDir}; stop it first, or give this one another AIKORE_DATA_DIR`,
    );
    this.name = "DataDirLockedError";
  }
}

const held: Deno.FsFile[] = [];

/** Takes the data directory's lock or throws DataDirLockedError naming the holder's pid. */
export function lockDataDir(dataDir: string): DataDirLock {
  Deno.mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const path = `${dataDir}/aikore.lock`;
  const file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o640 });
  if (!file.tryLockSync(true)) {
    file.close();
    throw new DataDirLockedError(dataDir, readHolder(path));
  }
  // Whatever a dead holder wrote is replaced; the lock itself is what counts.
  file.truncateSync(0);
  file.writeSync(new TextEncoder().encode(`${Deno.pid} ${ownStartTicks()}\n`));
  held.push(file);
  return {
    path,
    release() {
      const index = held.indexOf(file);
      if (index < 0) return;
      held.splice(index, 1);
      file.unlockSync();
      file.close();
    },
  };
}

/** The pid written by the holder; null when unreadable. */
function readHolder(path: string): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(path).trim().split(" ")[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function ownStartTicks(): string {
  return String(readPidStat("self")?.startTicks ?? "?");
}
