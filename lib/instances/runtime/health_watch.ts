import type { InstanceLaunchPlan } from "../launch_plan.ts";
import { READOPTED_NOTE } from "./adopt_instance.ts";
import type { Run } from "../state_machine.ts";
import type { OwnerContext, WatchHooks } from "./owner_context.ts";
import type { LiveProcess } from "./process_port.ts";
import { lastStep } from "./step_watch.ts";

/**
 * Watches a new run: "stalled" when it is not healthy within the start timeout, "started"
 * once its health check passes. Each outcome is applied in the owner's queue, and only if the
 * run is still current (a stop or a newer run makes it a no-op).
 */
export function watchHealth<P extends LiveProcess>(
  c: OwnerContext<P>,
  id: number,
  run: Run<P>,
  plan: InstanceLaunchPlan,
  hooks: WatchHooks,
): void {
  run.cancelStallTimer = c.clock.setTimer(() => {
    hooks.serial(() => {
      if (!hooks.current() || c.store.get(id)?.status !== "starting") return;
      const step = lastStep(run);
      c.store.record(id, "stalled", {
        statusMessage: `Not healthy after ${Math.round(plan.startTimeoutMs / 1000)} s${
          step === null ? "" : ` (last step: "${step}")`
        }`,
      });
    }).catch((error) => c.logger.warn("stall check failed", { id, error }));
  }, plan.startTimeoutMs);
  c.processes.waitHealthy(run.process, plan, run.health.signal).then((result) => {
    if (result !== "healthy") return;
    return hooks.serial(() => {
      run.cancelStallTimer();
      const status = c.store.get(id)?.status;
      if (!hooks.current() || (status !== "starting" && status !== "stalled")) return;
      // A re-adopted app keeps saying so once healthy; any other note is outdated now.
      const note = c.store.get(id)?.statusMessage === READOPTED_NOTE ? READOPTED_NOTE : null;
      c.store.record(id, "started", { statusMessage: note });
    });
  }).catch((error) => c.logger.warn("health check failed", { id, error }));
}
