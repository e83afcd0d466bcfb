import type { Logger } from "../../log/mod.ts";
import {
  findMarkedProcesses,
  type HealthCheck,
  isSameProcess,
  type RunningProcess,
  runPlan,
  stopProcessTree,
  waitUntilHealthy,
} from "../../process/mod.ts";
import type { ProcessPort } from "./process_port.ts";

/**
 * The process layer of production: PTY processes with rotating logs (lib/process).
 * `logRoot`: the folder run logs must stay beneath (no planted link is followed).
 * `afterExitGraceMs`: what the leftovers of an app whose leader ended by itself get after SIGTERM.
 */
export function realProcessPort(
  logger: Logger,
  afterExitGraceMs: number,
  logRoot: string,
): ProcessPort<RunningProcess> {
  return {
    spawn: (plan) =>
      runPlan(
        {
          argv: plan.argv,
          env: plan.env,
          cwd: plan.cwd,
          logPath: plan.logPath,
          logRoot,
          marker: plan.marker,
        },
        { logger },
      ),
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
    release: (process) => process.session.close(),
  };
}
