import { assertGroupTarget, signalGroup, signalProcess } from "../pty/mod.ts";
import { listLiveProcesses, type PidStat } from "../procfs/mod.ts";
import { assertMarker, hasMarker } from "./process_identity.ts";
import {
  type InstanceContainment,
  type ProcessContainment,
  processContainment,
} from "./process_containment.ts";

/** Which instance to stop: its leader pid (null when unknown) and its marker. */
export interface StopTarget {
  pid: number | null;
  marker: string;
  /** The leader's start time, when known: proves a live leader is still ours. */
  startTicks?: number;
  /** Where the instance's processes are tracked (default: AiKore's, by the marker). */
  containment?: InstanceContainment;
}

/** Timing of a stop; every field has a default except the grace period. */
export interface StopOptions {
  /** Wait after SIGTERM before SIGKILL. */
  graceMs: number;
  /** Census interval (default 50 ms). */
  pollMs?: number;
  /** How long to wait for SIGKILLed processes to vanish before reporting survivors (5 s). */
  killWaitMs?: number;
}

/** What a stop did. `survivors` is 0 unless a process could not be killed (e.g. stuck in D). */
export interface StopReport {
  /** Distinct processes of the instance seen during the stop. */
  found: number;
  /** Those that ended after SIGTERM, within the grace period. */
  terminated: number;
  /** Those that needed SIGKILL. */
  killed: number;
  /** Those outside the group and session (cgroup, marker, tree: setsid escapees). */
  sweptByMarker: number;
  survivors: number;
  /** Time from SIGTERM to the end of the grace phase, and of the whole stop. */
  termPhaseMs: number;
  totalMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Stops everything of an instance: SIGTERM (+SIGCONT) to its process group, to every process
 * of its session and to every process carrying its marker; waits up to `graceMs`; SIGKILLs
 * what is left, then keeps sweeping until nothing of it remains. Works when the leader already
 * exited. Pid reuse is respected: the group/session of `pid` is only treated as the
 * instance's when the live leader proves it (start time or marker), or — leader gone — when
 * one of its members carries the marker (a group id is not reused while members exist).
 */
export async function stopProcessTree(
  target: StopTarget,
  options: StopOptions,
): Promise<StopReport> {
  assertMarker(target.marker);
  if (target.pid !== null) assertGroupTarget(target.pid);
  const pollMs = options.pollMs ?? 50;
  const containment = target.containment ?? processContainment().prepare(target.marker);
  const started = performance.now();
  const seen = new Map<number, { viaGroup: boolean; killed: boolean }>();

  /**
   * Signals the target's processes (only those not signalled before, when `onlyNew`). The
   * group gets one atomic kill(-pgid), which also reaches a child forked a moment ago; other
   * members (session, marker) are signalled one by one. Nobody gets the same signal twice
   * in one call.
   */
  const signalAll = (signal: Deno.Signal, onlyNew = false) => {
    const members = census(target, containment);
    const leader = target.pid;
    const viaKillpg = leader !== null && members.groupOwned && !onlyNew &&
      signalGroup(leader, signal);
    if (viaKillpg && signal === "SIGTERM") signalGroup(leader, "SIGCONT");
    for (const p of members.processes) {
      const known = seen.get(p.pid);
      if (onlyNew && known) continue;
      const record = known ?? { viaGroup: members.viaGroup.has(p.pid), killed: false };
      seen.set(p.pid, record);
      if (signal === "SIGKILL") record.killed = true;
      if (viaKillpg && p.pgid === leader) continue;
      signalProcess(p.pid, signal);
      // A stopped process only acts on SIGTERM once continued.
      if (signal === "SIGTERM") signalProcess(p.pid, "SIGCONT");
    }
    return members;
  };

  // One SIGTERM each: a second one makes some servers (uvicorn …) skip their graceful exit.
  const first = signalAll("SIGTERM");
  let remaining = first.processes.length;
  const graceEnd = started + options.graceMs;
  while (remaining > 0 && performance.now() < graceEnd) {
    await sleep(Math.min(pollMs, Math.max(1, graceEnd - performance.now())));
    remaining = signalAll("SIGTERM", true).processes.length; // late forks are asked too
  }
  const termPhaseMs = performance.now() - started;
  const killEnd = performance.now() + (options.killWaitMs ?? 5000);
  while (remaining > 0 && performance.now() < killEnd) {
    remaining = signalAll("SIGKILL").processes.length;
    containment.killCgroup(); // also reaches a process forked since the census
    if (remaining > 0) await sleep(Math.min(pollMs, 20));
    remaining = census(target, containment).processes.length;
  }
  if (remaining === 0) containment.release();
  const records = [...seen.values()];
  return {
    found: seen.size,
    terminated: records.filter((r) => !r.killed).length,
    killed: records.filter((r) => r.killed).length,
    sweptByMarker: records.filter((r) => !r.viaGroup).length,
    survivors: remaining,
    termPhaseMs: Math.round(termPhaseMs),
    totalMs: Math.round(performance.now() - started),
  };
}

interface Census {
  processes: PidStat[];
  groupOwned: boolean;
  viaGroup: Set<number>;
}

/** The live processes that belong to the target right now (never AiKore, never pid ≤ 1). */
function census(target: StopTarget, containment: InstanceContainment): Census {
  const all = listLiveProcesses().filter((p) => p.pid > 1 && p.pid !== Deno.pid);
  const contained = containment.members(all);
  const leaderPid = target.pid;
  let groupOwned = false;
  let members: PidStat[] = [];
  if (leaderPid !== null) {
    members = all.filter((p) => p.pgid === leaderPid || p.sid === leaderPid);
    const leader = members.find((p) => p.pid === leaderPid);
    if (leader) {
      groupOwned = leader.startTicks === target.startTicks || hasMarker(leader.pid, target.marker);
    } else {
      groupOwned = members.some((p) => contained.some((m) => m.pid === p.pid));
    }
  }
  const viaGroup = new Set(groupOwned ? members.map((p) => p.pid) : []);
  const extra = members.filter((p) => groupOwned && !contained.some((m) => m.pid === p.pid));
  // Group members that nothing else found (their descendants too) join the instance's members.
  const processes = extra.length > 0 ? containment.members(all, extra) : contained;
  return { processes, groupOwned, viaGroup };
}

/**
 * At boot, after the instances were reconciled: stops what is left in the cgroups of markers
 * starting with `prefix` that no instance claims any more (an instance deleted while its
 * escapees ran, then AiKore killed). Returns the markers swept.
 */
export async function sweepLeftoverScopes(
  prefix: string,
  claimed: ReadonlySet<string>,
  options: StopOptions,
  containment: ProcessContainment = processContainment(),
): Promise<string[]> {
  const swept: string[] = [];
  for (const marker of containment.leftoverMarkers(prefix)) {
    if (claimed.has(marker)) continue;
    await stopProcessTree({ pid: null, marker, containment: containment.prepare(marker) }, options);
    swept.push(marker);
  }
  return swept;
}
