import type { InstanceRecord } from "../../db/mod.ts";
import { SERVING_STATUSES } from "../../shared/instance_status.ts";
import type { HolderExit } from "../../holder/mod.ts";
import type { Adoption } from "./instance_process.ts";
import type { OwnerBooks } from "./owner_books.ts";
import type { OwnerContext } from "./owner_context.ts";
import type { LiveProcess } from "./process_port.ts";

/** The note an instance shows after AiKore attached to its app again. */
export const READOPTED_NOTE = "re-attached after AiKore restart";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeExit(exit: HolderExit): string {
  const how = exit.signal !== null ? `killed by signal ${exit.signal}` : `exit code ${exit.code}`;
  return `The app ended while AiKore was down (${how}) at ${new Date(exit.endedAt).toISOString()}`;
}

/** What adoption decided before the rest of reconciliation runs. */
export type AdoptionOutcome<P> =
  /** A live held app, now the owner's run. */
  | { kind: "adopted"; process: P }
  /** Its app ended while AiKore was down: recorded; `failed` (a run that was not being
   * stopped ended badly) feeds the restart policy. */
  | { kind: "ended"; failed: boolean }
  /** Nothing adopted (no holder, or a holder that had to go): reconcile as before. */
  | { kind: "none"; note: string | null };

/**
 * Boot, first step for one instance: asks the process layer for what a previous life left in
 * its runtime folder. A live holder of a row that should run is adopted; one of a row that
 * should not (stopped, deleted meanwhile…) is stopped; an exit recorded while AiKore was down
 * is shown as `exited` with its code and time.
 */
export async function adoptInstance<P extends LiveProcess>(
  c: OwnerContext<P>,
  books: OwnerBooks<P>,
  record: InstanceRecord,
): Promise<AdoptionOutcome<P>> {
  const marker = c.marker(record.id);
  let found: Adoption<P>;
  try {
    found = c.processes.adopt ? await c.processes.adopt(marker) : { kind: "none" };
  } catch (error) {
    c.logger.warn("could not look for a holder", { id: record.id, error: messageOf(error) });
    return { kind: "none", note: null };
  }
  if (found.kind === "running") {
    if (SERVING_STATUSES.has(record.status)) {
      c.logger.info("re-attached to a running instance", { id: record.id, pid: found.process.pid });
      return { kind: "adopted", process: found.process };
    }
    // A run the stored state does not want (AiKore died while stopping it, or before it
    // could record a failed start): finish the stop.
    await c.processes.stopTree(found.process, marker, c.graceMs).catch((error) =>
      c.logger.error("could not stop an unwanted held app", { id: record.id, error })
    );
    await books.release(found.process);
    return { kind: "none", note: null };
  }
  if (found.kind === "exited") {
    const leftovers = c.processes.findMarked(marker);
    if (leftovers.length > 0) {
      await c.processes.sweep(marker, { pid: null, startTicks: null }, c.graceMs);
    }
    const exit = found.exit;
    const patch = {
      pid: null,
      pidStartTicks: null,
      exitCode: exit.code,
      exitSignal: exit.signal,
      statusMessage: describeExit(exit),
    };
    if (SERVING_STATUSES.has(record.status)) books.record("exited", patch);
    else if (record.status === "stopping") books.record("stopped", patch);
    else books.update({ pid: null, pidStartTicks: null });
    // A run that was being stopped ended as asked: that is no failure to restart after.
    const failed = exit.code !== 0 || exit.signal !== null;
    return { kind: "ended", failed: SERVING_STATUSES.has(record.status) && failed };
  }
  if (found.kind === "lost") {
    c.logger.warn("the holder of an instance is gone", { id: record.id, reason: found.reason });
    return {
      kind: "none",
      note: `Stopped: its holder was lost while AiKore was down (${found.reason})`,
    };
  }
  return { kind: "none", note: null };
}
