import { findMarkedProcesses, readProcessIdentity } from "../process/mod.ts";
import type { DesktopLease } from "./desktop_lease.ts";

/** True when `pid` is alive and still the process that started at `startTicks`. */
export function sameProcessAlive(pid: number, startTicks: number): boolean {
  const identity = readProcessIdentity(pid);
  return identity !== null && identity.state !== "Z" && identity.state !== "X" &&
    identity.startTicks === startTicks;
}

/** True while the AiKore process that reserved the lease is alive (it may still use it). */
export function claimantAlive(lease: DesktopLease): boolean {
  return sameProcessAlive(lease.claimant.pid, lease.claimant.startTicks);
}

/**
 * A lease is live while its claimant, any recorded process (identity checked, so a reused
 * pid does not count) or any process carrying its marker is alive. Only a lease with none of
 * them is stale and may be reclaimed.
 */
export function leaseLive(lease: DesktopLease): boolean {
  if (claimantAlive(lease)) return true;
  if (lease.processes.some((p) => sameProcessAlive(p.pid, p.startTicks))) return true;
  return findMarkedProcesses(lease.marker).length > 0;
}

/** The identity of this process, recorded as a lease's claimant. */
export function selfIdentity(): { pid: number; startTicks: number } {
  const identity = readProcessIdentity(Deno.pid);
  if (identity === null) throw new Error("cannot read /proc/self/stat");
  return { pid: Deno.pid, startTicks: identity.startTicks };
}
