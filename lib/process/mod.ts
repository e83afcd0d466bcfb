/**
 * The supervisor's process layer: run a launch plan on a pty with a rotating log, stop a whole
 * process tree (group, session, cgroup, descendants, marker sweep), find every process of an
 * instance however it escapes (process_containment.ts), identify processes across pid reuse,
 * wait for health, and decide restarts with back-off.
 */
export { runPlan } from "./run_plan.ts";
export type { LaunchPlan, RunningProcess, RunPlanOptions } from "./run_plan.ts";
export { stopProcessTree, sweepLeftoverScopes } from "./stop_process_tree.ts";
export type { StopOptions, StopReport, StopTarget } from "./stop_process_tree.ts";
export {
  assertMarker,
  hasMarker,
  isSameProcess,
  MARKER_VARIABLE,
  readProcessIdentity,
} from "./process_identity.ts";
export type { ProcessIdentity } from "./process_identity.ts";
export {
  findInstanceProcesses,
  /** Kept for callers written before containment: the same as findInstanceProcesses. */
  findInstanceProcesses as findMarkedProcesses,
  InstanceContainment,
  ProcessContainment,
  processContainment,
} from "./process_containment.ts";
export type { ContainmentLayer, ContainmentOptions } from "./process_containment.ts";
export { becomeChildSubreaper } from "../pty/mod.ts";
export { startOrphanReaper } from "./orphan_reaper.ts";
export type { OrphanReaper } from "./orphan_reaper.ts";
export { compileHealthPattern, waitUntilHealthy } from "./health_check.ts";
export type { HealthCheck, HealthContext, HealthOutcome, LinearPattern } from "./health_check.ts";
export { probeHttp } from "./http_probe.ts";
export { backoffDelayMs, RestartTracker } from "./restart_policy.ts";
export type { RestartDecision, RestartLimits } from "./restart_policy.ts";
export { RotatingLog } from "./rotating_log.ts";
export type { RotatingLogOptions } from "./rotating_log.ts";
export type { ExitStatus } from "../pty/mod.ts";
