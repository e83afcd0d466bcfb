import type { Logger } from "../../log/mod.ts";
import {
  findMarkedProcesses,
  type HealthCheck,
  isSameProcess,
  runPlan,
  stopProcessTree,
  waitUntilHealthy,
} from "../../process/mod.ts";
import { ensureDirBeneath, openBeneathSync } from "../../fs/mod.ts";
import { holderSocketFits } from "../../holder/mod.ts";
import {
  adoptHeld,
  detachHeld,
  type HolderSetup,
  releaseHeld,
  runtimeDirOf,
  spawnHeld,
  stopHeld,
} from "./held_process.ts";
import type { InstanceProcess } from "./instance_process.ts";
import type { ProcessPort } from "./process_port.ts";

/**
 * The process layer of production. With a holder (`holder` set), each app runs under its own
 * holder process and outlives AiKore; without one (no gcc to build it), apps run on a PTY
 * inside AiKore as before and end with it.
 * `logRoot`: the folder run logs must stay beneath (no planted link is followed; the
 * holder opens its log with O_NOFOLLOW in a folder checked just before).
 * `afterExitGraceMs`: what the leftovers of an app whose leader ended by itself get after SIGTERM.
 */
export function realProcessPort(
  logger: Logger,
  afterExitGraceMs: number,
  logRoot: string,
  holder: HolderSetup | null = null,
): ProcessPort<InstanceProcess> {
  const inProcess = (plan: Parameters<ProcessPort<InstanceProcess>["spawn"]>[0]) => {
    const run = runPlan(
      {
        argv: plan.argv,
        env: plan.env,
        cwd: plan.cwd,
        logPath: plan.logPath,
        logRoot,
        marker: plan.marker,
      },
      { logger },
    );
    return { ...run, holder: null, adopted: false };
  };
  return {
    async spawn(plan) {
      if (!holder) return inProcess(plan);
      if (!holderSocketFits(runtimeDirOf(holder.runtimeRoot, plan.marker))) {
        logger.warn(
          "the data folder's path is too long for the holder's socket; this instance runs " +
            "inside AiKore and will not survive a restart",
          { marker: plan.marker, runtimeRoot: holder.runtimeRoot },
        );
        return inProcess(plan);
      }
      // The holder writes the log itself: refuse a planted link there before it starts.
      await ensureDirBeneath(logRoot, plan.logPath.slice(0, plan.logPath.lastIndexOf("/")));
      openBeneathSync(logRoot, plan.logPath, "create-append").close();
      return await spawnHeld(holder, plan);
    },
    async waitHealthy(process, plan, signal) {
      const check: HealthCheck = plan.health.kind === "log"
        ? { kind: "log", pattern: new RegExp(plan.health.pattern) }
        : plan.health;
      return await waitUntilHealthy(check, {
        session: process.session,
        exited: process.exited,
        signal,
      });
    },
    async stopTree(process, marker, graceMs) {
      if (process.holder) return await stopHeld(process, marker, graceMs, logger);
      await stopProcessTree({ pid: process.pid, marker, startTicks: process.startTicks }, {
        graceMs,
      });
      await process.exited;
    },
    async cleanupAfterExit(marker) {
      await stopProcessTree({ pid: null, marker }, { graceMs: afterExitGraceMs });
    },
    async sweep(marker, stored, graceMs) {
      const provable = stored.pid !== null && stored.startTicks !== null &&
        isSameProcess(stored.pid, stored.startTicks, marker);
      await stopProcessTree(
        provable && stored.pid !== null && stored.startTicks !== null
          ? { pid: stored.pid, marker, startTicks: stored.startTicks }
          : { pid: null, marker },
        { graceMs },
      );
    },
    findMarked: (marker) => findMarkedProcesses(marker),
    release: (process) => process.holder ? releaseHeld(process) : process.session.close(),
    adopt: async (marker) => holder ? await adoptHeld(holder, marker) : { kind: "none" },
    async detach(process) {
      if (!process.holder) return false;
      await detachHeld(process);
      return true;
    },
  };
}
