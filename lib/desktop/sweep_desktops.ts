import { stopProcessTree } from "../process/mod.ts";
import type { DesktopLease } from "./desktop_lease.ts";
import { desktopFiles } from "./desktop_run.ts";
import { claimantAlive } from "./lease_liveness.ts";
import { readLeases, removeLease, withLeaseLock } from "./lease_store.ts";

/** What a boot sweep may leave running. */
export interface SweepOptions {
  /** Desktops the instance owner re-adopts (their processes and lease stay). */
  keep?: (lease: DesktopLease) => boolean;
  /** Grace after SIGTERM (default 5 s). */
  graceMs?: number;
}

/** What a sweep found. */
export interface SweepReport {
  /** Kept by `keep`. */
  kept: DesktopLease[];
  /** Reserved by another AiKore process that is alive: never touched. */
  owned: DesktopLease[];
  /** Freed: display, and how many leftover processes were ended. */
  reclaimed: { display: number; processes: number }[];
}

/**
 * Boot-time cleanup of `<data>/desktops/`: every desktop whose AiKore is gone and that the
 * owner does not keep is ended (its recorded processes and everything carrying its marker),
 * its throwaway files removed and its display and ports freed. Invalid lease files are
 * dropped. A lease of a live AiKore process is never touched.
 */
export async function sweepDesktops(
  dataDir: string,
  options: SweepOptions = {},
): Promise<SweepReport> {
  const report: SweepReport = { kept: [], owned: [], reclaimed: [] };
  const entries = await withLeaseLock(dataDir, () => readLeases(dataDir));
  for (const entry of entries) {
    const lease = entry.lease;
    if (lease && claimantAlive(lease)) {
      report.owned.push(lease);
      continue;
    }
    if (lease && options.keep?.(lease)) {
      report.kept.push(lease);
      continue;
    }
    const stopped = lease
      ? await stopProcessTree({ pid: null, marker: lease.marker }, {
        graceMs: options.graceMs ?? 5_000,
      })
      : null;
    if (lease) {
      const files = desktopFiles(lease.desktopDir);
      for (const path of [files.profile, files.web, files.home, files.authFile, files.kasmYaml]) {
        await Deno.remove(path, { recursive: true }).catch(() => {});
      }
    }
    await withLeaseLock(dataDir, () => removeLease(entry, lease?.leaseId));
    report.reclaimed.push({ display: entry.display, processes: stopped?.found ?? 0 });
  }
  return report;
}
