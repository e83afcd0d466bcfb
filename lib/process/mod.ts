/**
 * The supervisor's process layer: run a launch plan on a pty with a rotating log, stop a whole
 * process tree (group, session, marker sweep), identify processes safely across pid reuse,
 * wait for health, and decide restarts with back-off.
 */
export { runPlan } from "./run_plan.ts";
export type { LaunchPlan, RunningProcess, RunPlanOptions } from "./run_plan.ts";
export { stopProcessTree } from "./stop_process_tree.ts";
export type { StopOptions, StopReport, StopTarget } from "./stop_process_tree.ts";
export {
  assertMarker,
  findMarkedProcesses,
  hasMarker,
  isSameProcess,
  MARKER_VARIABLE,
  readProcessIdentity,
} from "./process_identity.ts";
export type { ProcessIdentity } from "./process_identity.ts";
export { compileHealthPattern, waitUntilHealthy } from "./health_check.ts";
export type { HealthCheck, HealthContext, HealthOutcome, LinearPattern } from "./health_check.ts";
export { probeHttp } from "./http_probe.ts";
export { backoffDelayMs, RestartTracker } from "./restart_policy.ts";
export type { RestartDecision, RestartLimits } from "./restart_policy.ts";
export { RotatingLog } from "./rotating_log.ts";
export type { RotatingLogOptions } from "./rotating_log.ts";
export type { ExitStatus } from "../pty/mod.ts";
