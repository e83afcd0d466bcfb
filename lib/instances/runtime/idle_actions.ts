import type { InstanceRecord } from "../../db/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { IDLE_STOP_NOTE, isIdleStopped } from "../../shared/idle_stop.ts";
import type { Actor } from "../actor.ts";
import type { InstanceStore } from "../instance_store.ts";
import type { RuntimeControl } from "./runtime_control.ts";

/** The actor of an idle stop in the audit log. */
export const IDLE_ACTOR: Actor = { actor: "idle-stop", client: null };

/** What idle stop and wake need: the owners, and the rows. */
export interface IdleActionDeps {
  runtime: Pick<RuntimeControl, "exclusive">;
  store: Pick<InstanceStore, "get" | "updateRuntime">;
  logger: Logger;
}

const SERVING = new Set(["started", "stalled"]);

/**
 * Stops instance `id` for idleness through its owner, like any stop, unless `stillIdle` says it
 * was used while the stop waited its turn; then marks it stopped (idle) so that a request wakes
 * it. True when it was stopped.
 */
export function stopIdle(
  d: IdleActionDeps,
  id: number,
  stillIdle: (record: InstanceRecord) => boolean,
): Promise<boolean> {
  return d.runtime.exclusive(id, async (section) => {
    const record = d.store.get(id);
    if (!record || !section.live || !SERVING.has(record.status) || !stillIdle(record)) {
      return false;
    }
    await section.stop(IDLE_ACTOR);
    try {
      d.store.updateRuntime(id, { statusMessage: IDLE_STOP_NOTE });
    } catch (error) {
      // Stopped all the same; it only shows (and wakes) as a plain stop.
      d.logger.warn("could not mark an idle stop", { id, error });
    }
    return true;
  });
}

/**
 * Starts instance `id` through its owner for a request, if it is still stopped by the idle
 * policy when its turn comes (a user's stop or start in between wins). True when started.
 */
export function wakeIdle(d: IdleActionDeps, id: number, actor: Actor): Promise<boolean> {
  return d.runtime.exclusive(id, async (section) => {
    const record = d.store.get(id);
    if (!record || section.live || !isIdleStopped(record)) return false;
    await section.start(actor);
    return true;
  });
}
