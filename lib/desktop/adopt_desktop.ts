import type { DesktopLease } from "./desktop_lease.ts";
import { DesktopStartError } from "./desktop_errors.ts";
import { type DesktopHandle, desktopHandle, type XServerEnd } from "./desktop_handle.ts";
import { DesktopRun } from "./desktop_run.ts";
import { claimantAlive, sameProcessAlive, selfIdentity } from "./lease_liveness.ts";
import { readLeases, withLeaseLock, writeLease } from "./lease_store.ts";

/** A desktop recorded in the data dir, e.g. one that outlived a previous AiKore. */
export interface FoundDesktop {
  lease: DesktopLease;
  /** Its X server is still the process that was started. */
  xserverAlive: boolean;
  /** The AiKore process that started it is alive (then it is not ours to adopt). */
  claimantAlive: boolean;
}

const xserverOf = (lease: DesktopLease) => lease.processes.find((p) => p.role === "xserver");

/** Every valid desktop lease of the data dir, with what is still alive of it. */
export async function findDesktops(dataDir: string): Promise<FoundDesktop[]> {
  const entries = await withLeaseLock(dataDir, () => readLeases(dataDir));
  return entries.flatMap(({ lease }) => {
    if (!lease) return [];
    const xserver = xserverOf(lease);
    return [{
      lease,
      xserverAlive: xserver ? sameProcessAlive(xserver.pid, xserver.startTicks) : false,
      claimantAlive: claimantAlive(lease),
    }];
  });
}

/** What adoption needs besides the display. */
export interface AdoptOptions {
  /** The instance's marker: must be the one the desktop was started with. */
  marker: string;
  searchPath?: string;
  stopGraceMs?: number;
  /** How often the X server (no longer our child) is checked for its end (default 500 ms). */
  pollMs?: number;
}

/**
 * Takes over a running desktop whose AiKore died (after a restart): the lease names this
 * process as its claimant, and the handle stops it like a started one. Its X server is not
 * our child, so its end is noticed by polling its identity. Refuses a desktop of a live
 * AiKore, of another instance, or whose X server is gone (sweepDesktops frees that one).
 */
export async function adoptDesktop(
  dataDir: string,
  display: number,
  options: AdoptOptions,
): Promise<DesktopHandle> {
  const lease = await withLeaseLock(dataDir, async () => {
    const found = (await readLeases(dataDir)).find((e) => e.display === display)?.lease;
    if (!found) throw new DesktopStartError(`No desktop is recorded on display :${display}`);
    if (found.marker !== options.marker) {
      throw new DesktopStartError(`Display :${display} belongs to another instance`);
    }
    if (claimantAlive(found) && found.claimant.pid !== Deno.pid) {
      throw new DesktopStartError(
        `Display :${display} is held by live AiKore pid ${found.claimant.pid}`,
      );
    }
    const xserver = xserverOf(found);
    if (!xserver || !sameProcessAlive(xserver.pid, xserver.startTicks)) {
      throw new DesktopStartError(`The X server of display :${display} is not running`);
    }
    const adopted = { ...found, claimant: selfIdentity() };
    await writeLease(dataDir, adopted);
    return adopted;
  });
  const run = new DesktopRun(dataDir, lease, options.stopGraceMs ?? 5_000);
  const server = xserverOf(lease);
  const ended = new Promise<XServerEnd>((resolve) => {
    const timer = setInterval(() => {
      if (server && sameProcessAlive(server.pid, server.startTicks)) return;
      clearInterval(timer);
      resolve({ code: -1, signal: null }); // not our child: its exit status is unknown
    }, options.pollMs ?? 500);
  });
  const searchPath = options.searchPath ?? Deno.env.get("PATH") ?? "/usr/bin:/bin";
  return desktopHandle(run, searchPath, ended, null);
}
