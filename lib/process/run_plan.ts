import { dirname } from "node:path";
import { type ExitStatus, PtySession, type PtySessionOptions, spawnPty } from "../pty/mod.ts";
import { readPidStat } from "../procfs/mod.ts";
import type { Logger } from "../log/mod.ts";
import { assertMarker, hasMarker, MARKER_VARIABLE } from "./process_identity.ts";
import { RotatingLog } from "./rotating_log.ts";
import { type InstanceContainment, processContainment } from "./process_containment.ts";

/** Everything needed to start an instance's process, computed as plain data beforehand. */
export interface LaunchPlan {
  /** argv[0] is looked up in PATH. Values travel as argv/env only, never as shell text. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** The run's log file; rotated to logPath.1, .2 … by size. */
  logPath: string;
  /** When set, the log is opened and rotated beneath this folder, following no symlink. */
  logRoot?: string;
  /** Value of AIKORE_INSTANCE_ID put in the environment; used to find strays. */
  marker: string;
  cols?: number;
  rows?: number;
}

/** A started process. */
export interface RunningProcess {
  pid: number;
  /** /proc start time of the leader: with pid and marker it survives pid reuse checks. */
  startTicks: number;
  session: PtySession;
  /** Resolves after the leader exited, its output was drained and the log closed. */
  exited: Promise<ExitStatus>;
  log: RotatingLog;
}

/** How runPlan logs and sizes things. */
export interface RunPlanOptions {
  logger: Logger;
  /** Per log file (default 50 MiB). */
  logMaxBytes?: number;
  /** Rotated log files kept (default 2: at most three files on disk). */
  logKeep?: number;
  /** Defaults: slow console viewers are skipped and resynced, never pausing the program. */
  session?: PtySessionOptions;
  /** Where the instance's processes are tracked (default: AiKore's, by the plan's marker). */
  containment?: InstanceContainment;
}

/**
 * Starts `plan` on a pty in its own session and process group, with the marker in its
 * environment and every signal at its default. Output goes to the rotating log and to the
 * session's viewers. Throws (after logging) when the program cannot start.
 */
export function runPlan(plan: LaunchPlan, options: RunPlanOptions): RunningProcess {
  assertMarker(plan.marker);
  const [file, ...args] = plan.argv;
  if (file === undefined || file === "") {
    throw new TypeError("Cannot run a launch plan: argv is empty");
  }
  const logger = options.logger;
  Deno.mkdirSync(dirname(plan.logPath), { recursive: true });
  let warnedOnce = false;
  const log = new RotatingLog(plan.logPath, {
    ...(plan.logRoot === undefined ? {} : { root: plan.logRoot }),
    ...(options.logMaxBytes === undefined ? {} : { maxBytes: options.logMaxBytes }),
    ...(options.logKeep === undefined ? {} : { keep: options.logKeep }),
    onError: (error) => {
      if (!warnedOnce) {
        logger.warn("cannot write the instance log; output is dropped", {
          path: plan.logPath,
          error,
        });
      }
      warnedOnce = true;
    },
  });
  const containment = options.containment ?? processContainment().prepare(plan.marker);
  const enterCgroup = containment.entryFile();
  let pty;
  try {
    pty = spawnPty({
      ...(enterCgroup === null ? {} : { enterCgroup }),
      file,
      args,
      env: { ...plan.env, [MARKER_VARIABLE]: plan.marker },
      cwd: plan.cwd,
      ...(plan.cols === undefined ? {} : { cols: plan.cols }),
      ...(plan.rows === undefined ? {} : { rows: plan.rows }),
    });
  } catch (error) {
    containment.release();
    void log.close();
    logger.error("cannot start the process", { marker: plan.marker, file, error });
    throw error;
  }
  const session = new PtySession(pty, { slowViewer: "drop", ...options.session });
  session.onOutput((chunk) => log.write(chunk.slice())); // the log queues it; the chunk is a view
  const startTicks = readPidStat(pty.pid)?.startTicks ?? 0;
  awaitExecSettled(pty.pid, plan.marker);
  containment.adopt(pty.pid, { leader: true });
  logger.info("process started", { marker: plan.marker, pid: pty.pid, file, log: plan.logPath });
  const exited = session.exited.then(async (status) => {
    containment.release(); // only when nothing of the instance is left in its cgroup
    await log.close();
    logger.info("process exited", { marker: plan.marker, pid: pty.pid, ...status });
    return status;
  });
  return { pid: pty.pid, startTicks, session, exited, log };
}

/**
 * posix_spawn returns while the kernel is still inside execve (the vfork parent resumes when
 * the child drops the old memory map), and for that instant /proc/<pid>/environ reads empty.
 * Wait (≤ 100 ms, normally microseconds) until the marker is visible, so that an immediate
 * stop or census already recognises the new process.
 */
function awaitExecSettled(pid: number, marker: string): void {
  const deadline = performance.now() + 100;
  while (performance.now() < deadline && !hasMarker(pid, marker)) {
    const state = readPidStat(pid)?.state;
    if (state === undefined || state === "Z") return; // it already ended
  }
}
