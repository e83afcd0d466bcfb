import type { DesktopBackendKind } from "./desktop_choice.ts";
import type { DesktopLease } from "./desktop_lease.ts";
import { DesktopStartError } from "./desktop_errors.ts";
import { leaseLive, selfIdentity } from "./lease_liveness.ts";
import { readLeases, removeLease, withLeaseLock, writeLease } from "./lease_store.ts";
import { portForChild } from "../ports/mod.ts";
import { xDisplayHeld } from "./x_display_files.ts";

/** What to reserve: a display number in `displays` and two loopback ports. */
export interface ClaimRequest {
  dataDir: string;
  displays: { first: number; last: number };
  marker: string;
  backend: DesktopBackendKind;
  desktopDir: string;
  /** The web client's path prefix, recorded for a later adoption (default "/"). */
  pathPrefix?: string;
  /** Displays to pass over (e.g. one whose X server just failed to bind). */
  skip?: ReadonlySet<number>;
}

/**
 * Reserves the lowest display of the range that no live lease and no live X server (X lock
 * convention) holds, plus a VNC and a web port on loopback, and writes the lease — all under
 * the lease lock. Stale leases met on the way (nothing of them alive) are reclaimed; a live
 * one is never touched.
 */
export function claimDisplay(request: ClaimRequest): Promise<DesktopLease> {
  const { first, last } = request.displays;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first < 1 || last < first) {
    throw new RangeError(`displays: ${first}-${last} is not a range of display numbers ≥ 1`);
  }
  return withLeaseLock(request.dataDir, async () => {
    const taken = new Set<number>();
    const ports = new Set<number>();
    for (const entry of await readLeases(request.dataDir)) {
      if (entry.lease && leaseLive(entry.lease)) {
        taken.add(entry.display);
        ports.add(entry.lease.vncPort).add(entry.lease.webPort);
      } else await removeLease(entry);
    }
    for (let display = first; display <= last; display++) {
      if (taken.has(display) || request.skip?.has(display) || xDisplayHeld(display)) continue;
      const vncPort = portForChild(ports);
      const webPort = portForChild(ports.add(vncPort));
      const lease: DesktopLease = {
        version: 1,
        display,
        leaseId: crypto.randomUUID(),
        marker: request.marker,
        backend: request.backend,
        vncPort,
        webPort,
        desktopDir: request.desktopDir,
        pathPrefix: request.pathPrefix ?? "/",
        claimant: selfIdentity(),
        processes: [],
        createdAt: new Date().toISOString(),
      };
      await writeLease(request.dataDir, lease);
      return lease;
    }
    throw new DesktopStartError(`No free X display in ${first}-${last}`);
  });
}
