import { WakeGate } from "../../gateway/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { establishedConnections } from "../../procfs/mod.ts";
import type { SystemStats } from "../../shared/stats.ts";
import type { InstanceStore } from "../instance_store.ts";
import type { Clock } from "./clock.ts";
import { stopIdle, wakeIdle } from "./idle_actions.ts";
import { IDLE_TIMING, type IdleTiming, IdleWatcher } from "./idle_watcher.ts";
import type { RuntimeControl } from "./runtime_control.ts";

/** What idle stop is built from. */
export interface IdleStopDeps {
  runtime: Pick<RuntimeControl, "exclusive">;
  store: InstanceStore;
  clock: Clock;
  logger: Logger;
  /** Tests shorten the policy minute and the period of the watcher's looks. */
  timing?: Partial<IdleTiming>;
  /** The latest resource figures: an app that works is not idle (see `appWork`). */
  activity?: (maxAgeMs: number) => Promise<SystemStats | null>;
  /** Why waking instance `id` now could harm another run (a busy GPU), or null. */
  heldBack?: (id: number) => string | null;
}

/**
 * Idle stop and wake on request, wired: the gateway's gate records requests and wakes
 * idle-stopped instances through their owners; the watcher (not started yet) stops idle ones.
 */
export function idleStop(d: IdleStopDeps): { gate: WakeGate; watcher: IdleWatcher } {
  const actions = { runtime: d.runtime, store: d.store, logger: d.logger };
  const gate = new WakeGate({
    now: () => d.clock.now(),
    wake: (id, actor) => wakeIdle(actions, id, actor),
    ...(d.heldBack ? { heldBack: d.heldBack } : {}),
    logger: d.logger,
  });
  const timing = { ...IDLE_TIMING, ...d.timing };
  const activity = d.activity;
  const watcher = new IdleWatcher({
    records: () => d.store.list(),
    lastRequest: (id) => gate.lastRequest(id),
    connections: establishedConnections,
    stop: (id, stillIdle) => stopIdle(actions, id, stillIdle),
    ...(activity ? { activity: () => activity(timing.checkEveryMs / 2) } : {}),
    clock: d.clock,
    timing,
    logger: d.logger,
  });
  return { gate, watcher };
}
