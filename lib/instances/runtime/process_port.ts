import type { ExitStatus } from "../../pty/mod.ts";
import type { InstanceLaunchPlan } from "../launch_plan.ts";
import type { HolderExit } from "../../holder/mod.ts";

/** What the owner needs of a live process. */
export interface LiveProcess {
  pid: number;
  /** /proc start time of the leader (proves a pid is still ours). */
  startTicks: number;
  /** Resolves once the leader exited and its output was drained. */
  exited: Promise<ExitStatus>;
  /** Persistent mode: the desktop the app shows on (display, loopback web client port). */
  desktop?: { display: number; webPort: number };
  /** Why the run ended when not by itself (e.g. its X server died); null otherwise. */
  exitNote?: () => string | null;
}

/** Outcome of waiting for an app to become healthy. */
export type HealthResult = "healthy" | "exited" | "aborted" | "timeout";

/**
 * The process layer as the owner uses it. Production wires the PTY supervisor
 * (real_process_port.ts); tests wire fake processes.
 */
export interface ProcessPort<P extends LiveProcess> {
  /** Starts the plan; throws (or rejects) when the program cannot start. */
  spawn(plan: InstanceLaunchPlan): P | Promise<P>;
  /** Waits until the app answers its health check, the run ends, or `signal` aborts. */
  waitHealthy(process: P, plan: InstanceLaunchPlan, signal: AbortSignal): Promise<HealthResult>;
  /** Stops the whole tree of a live run (group, session, marker); resolves when nothing is left. */
  stopTree(process: P, marker: string, graceMs: number): Promise<void>;
  /** Stops what is left after the leader ended by itself (found by group, session, marker). */
  cleanupAfterExit(marker: string): Promise<void>;
  /**
   * Stops processes of the instance that this AiKore does not run (a previous life's), by the
   * stored pid when it is provably still ours, else by marker. Never an unrelated process.
   */
  sweep(
    marker: string,
    stored: { pid: number | null; startTicks: number | null },
    graceMs: number,
  ): Promise<void>;
  /** Pids of live processes carrying the marker. */
  findMarked(marker: string): number[];
  /** Releases what the run holds besides its processes (the console session). */
  release(process: P): Promise<void>;
  /**
   * Boot: re-attaches to what a previous life of AiKore left running for `marker` (a holder),
   * or reports how it ended. Absent: processes never outlive AiKore.
   */
  adopt?(marker: string): Promise<Adoption<P>>;
  /**
   * AiKore stops and leaves the run going: detaches from it. Absent, or false returned: the
   * run cannot outlive AiKore (it runs inside it) and is stopped instead.
   */
  detach?(process: P): Promise<boolean>;
}

/** What a previous life of AiKore left in an instance's runtime folder. */
export type Adoption<P> =
  /** No holder record: nothing to adopt (a run inside AiKore, or never started). */
  | { kind: "none" }
  /** The holder is alive (identity checked) and AiKore is attached to it again. */
  | { kind: "running"; process: P }
  /** The app ended while AiKore was down; its holder recorded how. */
  | { kind: "exited"; exit: HolderExit }
  /** The holder is gone without an exit record (killed), or its record is unreadable. */
  | { kind: "lost"; reason: string };
