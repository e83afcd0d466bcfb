import {
  attachHolderPty,
  clearHolderRecords,
  type HolderHandle,
  inspectHolder,
  spawnHolder,
} from "../../holder/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { processContainment, stopProcessTree } from "../../process/mod.ts";
import { isRunning, listLiveProcesses, readPidStat } from "../../procfs/mod.ts";
import { PtySession } from "../../pty/mod.ts";
import type { InstanceLaunchPlan } from "../launch_plan.ts";
import type { Adoption, InstanceProcess } from "./instance_process.ts";

/** Runtime folders of held instances: `<root>/<instance id>` (short: the socket path is limited). */
export interface HolderSetup {
  /** The holder executable. */
  binary: string;
  /** `<data>/run`. */
  runtimeRoot: string;
}

/** The runtime folder of the instance a marker (`<install>.<id>`) belongs to. */
export function runtimeDirOf(runtimeRoot: string, marker: string): string {
  return `${runtimeRoot}/${marker.slice(marker.lastIndexOf(".") + 1)}`;
}

/** Presents a holder as an instance process: one connection, fanned out to viewers by PtySession. */
async function attach(handle: HolderHandle, adopted: boolean): Promise<InstanceProcess> {
  const pty = await attachHolderPty(handle, { from: 0 });
  // Slow viewers are resynced, never slowing the app (the holder writes the log itself).
  const session = new PtySession(pty, { slowViewer: "drop" });
  return {
    pid: handle.appPid,
    startTicks: handle.appStartTicks,
    session,
    holder: handle,
    adopted,
    exited: session.exited,
  };
}

/** Starts the plan under a new holder in its runtime folder; records of a previous run go first. */
export async function spawnHeld(
  setup: HolderSetup,
  plan: InstanceLaunchPlan,
): Promise<InstanceProcess> {
  const dir = runtimeDirOf(setup.runtimeRoot, plan.marker);
  clearHolderRecords(dir);
  const handle = await spawnHolder({
    argv: plan.argv,
    env: plan.env,
    cwd: plan.cwd,
    logPath: plan.logPath,
    marker: plan.marker,
    dir,
  }, { binary: setup.binary });
  try {
    return await attach(handle, false);
  } catch (error) {
    // Nobody would know this app: it must not run on unseen.
    const target = { pid: handle.appPid, marker: plan.marker, startTicks: handle.appStartTicks };
    await stopProcessTree(target, { graceMs: 1000 });
    throw error;
  }
}

/**
 * Stops a held app: SIGTERM to its session through the holder, then the containment layers
 * (group, session, descendants, marker; SIGKILL after the grace). The holder is a subreaper,
 * so orphans stay in reach; it records the exit, which `exited` reports.
 */
export async function stopHeld(
  process: InstanceProcess,
  marker: string,
  graceMs: number,
  logger: Logger,
): Promise<void> {
  const holder = process.holder;
  if (holder) {
    try {
      const connection = await holder.connect();
      await connection.signal("SIGTERM", "session").finally(() => connection.close());
    } catch (error) {
      logger.warn("could not signal through the holder; using the process tree", {
        marker,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  // The holder is the app's child subreaper: whatever the app daemonized (setsid, a dropped or
  // rewritten marker) was re-parented to it. Every descendant of the holder belongs to the app.
  const containment = processContainment().prepare(marker);
  if (holder) { for (const pid of descendantsOf(holder.holderPid)) containment.adopt(pid); }
  await stopProcessTree(
    { pid: process.pid, marker, startTicks: process.startTicks, containment },
    { graceMs },
  );
  await process.exited;
}

/** Every live descendant of `root` (not `root` itself). */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of listLiveProcesses()) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Detaches from a held app (AiKore stops, the app keeps running under its holder). */
export async function detachHeld(process: InstanceProcess): Promise<void> {
  await process.session.close();
}

/**
 * Releases a held run that ended: detach, forget its records (the exit was taken note of), and
 * make sure its holder is gone too: it has nothing left to do, and "nothing of the instance is
 * left" includes it. A holder still there after 2 s is killed (pid and start time checked).
 */
export async function releaseHeld(process: InstanceProcess): Promise<void> {
  await process.session.close();
  const holder = process.holder;
  if (!holder) return;
  clearHolderRecords(holder.dir);
  const isOurs = () => readPidStat(holder.holderPid)?.startTicks === holder.holderStartTicks;
  const deadline = performance.now() + 2000;
  while (isRunning(holder.holderPid) && isOurs() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (!isRunning(holder.holderPid) || !isOurs()) return;
  try {
    Deno.kill(holder.holderPid, "SIGKILL");
  } catch {
    // It ended between the check and the signal: what was wanted.
  }
}

/**
 * What a previous life left for `marker`: a live holder (identity checked: pid, start time and
 * holder marker) is attached again with its scrollback; an exit recorded while AiKore was down
 * is returned and its records cleared.
 */
export async function adoptHeld(
  setup: Pick<HolderSetup, "runtimeRoot">,
  marker: string,
): Promise<Adoption<InstanceProcess>> {
  const dir = runtimeDirOf(setup.runtimeRoot, marker);
  const found = inspectHolder(dir);
  if (found === null) return { kind: "none" };
  if (found.state === "running") {
    if (found.handle.marker !== marker) return { kind: "lost", reason: "another marker" };
    try {
      return { kind: "running", process: await attach(found.handle, true) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { kind: "lost", reason: `cannot attach to the holder: ${reason}` };
    }
  }
  clearHolderRecords(dir);
  if (found.state === "exited") return { kind: "exited", exit: found.exit };
  if (found.state === "lost") return { kind: "lost", reason: "the holder was killed" };
  return { kind: "lost", reason: found.error };
}
