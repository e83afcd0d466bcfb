import type { PendingRestart } from "../../db/mod.ts";
import { ACTIVE_STATUSES } from "../../shared/instance_status.ts";
import { adoptInstance } from "./adopt_instance.ts";
import type { OwnerBooks } from "./owner_books.ts";
import type { OwnerContext } from "./owner_context.ts";
import type { LiveProcess } from "./process_port.ts";

/** What reconciliation found for one instance. */
export interface Reconciled<P> {
  /** Processes of a previous life that were stopped. */
  cleaned: number;
  /** A back-off that was in progress when AiKore ended: it resumes. */
  resume: PendingRestart | null;
  /** It should start now (autostart, or on-failure and running when AiKore ended). */
  wantsStart: boolean;
  /** A held app that outlived the previous AiKore, attached again: the owner's run. */
  adopted?: P;
}

/**
 * One instance after a restart of AiKore: processes of a previous life lost their terminal
 * with it, so they are stopped (by the stored pid when provably ours, else by marker) and the
 * status made truthful. Runs inside the instance's owner, before any other operation on it.
 */
export async function reconcileInstance<P extends LiveProcess>(
  c: OwnerContext<P>,
  books: OwnerBooks<P>,
  id: number,
): Promise<Reconciled<P>> {
  const found = c.store.get(id);
  if (!found) return { cleaned: 0, resume: null, wantsStart: false };
  const adoption = await adoptInstance(c, books, found);
  if (adoption.kind === "adopted") {
    books.clearPendingRestart();
    return { cleaned: 0, resume: null, wantsStart: false, adopted: adoption.process };
  }
  const record = c.store.get(id) ?? found;
  if (adoption.kind === "ended") {
    books.clearPendingRestart();
    const retry = record.restartPolicy === "on-failure" && adoption.failed;
    const wantsStart = record.invalidReason === null && (retry || record.autostart);
    return { cleaned: 0, resume: null, wantsStart };
  }
  const marker = c.marker(id);
  const leftovers = c.processes.findMarked(marker);
  const wasActive = ACTIVE_STATUSES.has(record.status);
  if (wasActive && record.status !== "stopping") books.record("stopping", {});
  if (leftovers.length > 0 || record.pid !== null) {
    await c.processes.sweep(
      marker,
      { pid: record.pid, startTicks: record.pidStartTicks },
      c.graceMs,
    );
  }
  let wantsStart = false;
  if (record.status === "installing") {
    books.record("error", {
      statusMessage:
        "The copy was interrupted by a restart of AiKore; delete this instance and clone again",
    });
  } else if (wasActive) {
    books.record("stopped", {
      pid: null,
      pidStartTicks: null,
      statusMessage: adoption.note ?? "Stopped: AiKore restarted while it ran",
    });
    // A stop that AiKore's end interrupted was still asked for: it is not undone.
    wantsStart = record.restartPolicy === "on-failure" && record.status !== "stopping";
  } else if (record.pid !== null) {
    books.update({ pid: null, pidStartTicks: null });
  }
  const pending = books.pendingRestart();
  const resumes = pending !== null && record.status === "exited" &&
    record.restartPolicy === "on-failure" && record.invalidReason === null;
  if (resumes) return { cleaned: leftovers.length, resume: pending, wantsStart: false };
  if (pending) books.clearPendingRestart();
  if (record.autostart && record.invalidReason === null) wantsStart = true;
  return { cleaned: leftovers.length, resume: null, wantsStart };
}
