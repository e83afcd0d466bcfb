import type { InstanceRecord } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { findMarkedProcesses } from "../process/mod.ts";
import { type Actor, SYSTEM_ACTOR } from "./actor.ts";
import type { InstanceStore } from "./instance_store.ts";
import { ACTIVE_STATUSES } from "./state_machine.ts";

/** What reconciliation needs from the lifecycle. */
export interface ReconcileTarget {
  marker(id: number): string;
  /** Stops what a previous life left of an instance (never an unrelated process). */
  sweepLeftovers(record: InstanceRecord): Promise<void>;
  start(id: number, actor: Actor): Promise<InstanceRecord>;
}

/**
 * At start-up: processes left by a previous AiKore lost their terminal with it, so they are
 * stopped, statuses made truthful, then instances with autostart (and on-failure ones that
 * were running) are started.
 */
export async function reconcileAtBoot(
  store: InstanceStore,
  lifecycle: ReconcileTarget,
  logger: Logger,
): Promise<{ cleaned: number; started: number }> {
  let cleaned = 0;
  const restart: number[] = [];
  for (const record of store.repo.list()) {
    const leftovers = findMarkedProcesses(lifecycle.marker(record.id));
    const wasActive = ACTIVE_STATUSES.has(record.status);
    if (wasActive && record.status !== "stopping") store.transition(record.id, "stopping");
    if (leftovers.length > 0 || record.pid !== null) {
      await lifecycle.sweepLeftovers(record);
      cleaned += leftovers.length;
    }
    if (record.status === "installing") {
      store.transition(record.id, "error", {
        statusMessage:
          "The copy was interrupted by a restart of AiKore; delete this instance and clone again",
      });
    } else if (wasActive) {
      store.transition(record.id, "stopped", {
        pid: null,
        pidStartTicks: null,
        statusMessage: "Stopped: AiKore restarted while it ran",
      });
      if (record.restartPolicy === "on-failure") restart.push(record.id);
    } else if (record.pid !== null) {
      store.updateRuntime(record.id, { pid: null, pidStartTicks: null });
    }
    if (record.autostart && record.invalidReason === null && !restart.includes(record.id)) {
      restart.push(record.id);
    }
  }
  let started = 0;
  for (const id of restart) {
    try {
      await lifecycle.start(id, SYSTEM_ACTOR);
      started++;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      logger.warn("autostart failed", { id, error: message });
      const current = store.get(id);
      if (current && current.status !== "error") {
        store.transition(id, "error", { statusMessage: `Autostart failed: ${message}` });
      }
    }
  }
  return { cleaned, started };
}
