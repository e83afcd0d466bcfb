import type { Logger } from "../log/mod.ts";
import { listPids, readPidStat } from "../procfs/mod.ts";
import { reapOrphan } from "../pty/mod.ts";

/** What the periodic reaper did so far. */
export interface OrphanReaper {
  /** Zombies reaped since the start. */
  readonly reaped: number;
  /** One scan now (the timer runs them every `intervalMs`). */
  scan(): number;
  stop(): void;
}

/**
 * As a child subreaper, AiKore inherits every orphan of its instances, and their zombies are
 * its to collect: nobody else waits for them, and left alone they would pile up. A zombie child
 * seen on two scans in a row (same start time) is one nobody waits for — Deno.Command and the
 * PTYs reap their own children at once — so it is reaped here.
 */
export function startOrphanReaper(
  logger: Logger,
  options: { intervalMs?: number } = {},
): OrphanReaper {
  let previous = new Map<number, number>();
  let reaped = 0;
  const scan = () => {
    const zombies = new Map<number, number>();
    let now = 0;
    for (const pid of listPids()) {
      const stat = readPidStat(pid);
      if (stat === null || stat.ppid !== Deno.pid || stat.state !== "Z") continue;
      if (previous.get(pid) === stat.startTicks && reapOrphan(pid)) now++;
      else zombies.set(pid, stat.startTicks);
    }
    previous = zombies;
    reaped += now;
    if (now > 0) logger.debug("reaped orphaned zombies", { count: now });
    return now;
  };
  const timer = setInterval(() => {
    try {
      scan();
    } catch (error) {
      logger.warn("orphan reaping failed", { error });
    }
  }, options.intervalMs ?? 2000);
  Deno.unrefTimer(timer);
  return {
    get reaped() {
      return reaped;
    },
    scan,
    stop: () => clearInterval(timer),
  };
}
