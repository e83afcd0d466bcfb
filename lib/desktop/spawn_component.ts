import { dirname } from "node:path";
import { readPartBeneathSync } from "../fs/mod.ts";
import { readProcessIdentity } from "../process/mod.ts";

/** One program of a desktop to start. */
export interface ComponentSpec {
  role: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** File that receives the program's output (appended). */
  logFile: string;
  /** Keep stdout as a pipe (the X server reports its display there); stderr still logged. */
  pipeStdout?: boolean;
}

/** A started program of a desktop. */
export interface Component {
  role: string;
  pid: number;
  startTicks: number;
  child: Deno.ChildProcess;
  /** Settles once, when the program has ended (never rejects). */
  status: Promise<Deno.CommandStatus>;
}

// The shell only redirects output and then becomes the program (exec keeps the pid). Values
// travel as "$@" and an environment variable, never as shell text.
const TO_LOG = 'exec "$@" >>"$AIKORE_DESKTOP_LOG" 2>&1';
const STDERR_TO_LOG = 'exec "$@" 2>>"$AIKORE_DESKTOP_LOG"';

/**
 * Starts a program in its own session (so it outlives AiKore like any instance process and
 * gets no signal meant for AiKore's group), output appended to its log file, nothing inherited
 * from AiKore's environment but what `env` lists.
 */
export function spawnComponent(spec: ComponentSpec): Component {
  const [program] = spec.argv;
  if (!program) throw new TypeError(`${spec.role}: empty argv`);
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", spec.pipeStdout ? STDERR_TO_LOG : TO_LOG, `aikore-${spec.role}`, ...spec.argv],
    env: { ...spec.env, AIKORE_DESKTOP_LOG: spec.logFile },
    clearEnv: true,
    cwd: spec.cwd,
    stdin: "null",
    stdout: spec.pipeStdout ? "piped" : "null",
    stderr: "null",
    detached: true,
  }).spawn();
  // Not unref'd: whoever awaits a desktop's end (its `exited`) must keep the event loop alive.
  // It still outlives AiKore: its own session, and a kill of AiKore does not reach it.
  const identity = readProcessIdentity(child.pid);
  const status = child.status.catch((error) => ({
    success: false,
    code: -1,
    signal: null,
    error,
  } as Deno.CommandStatus));
  // Gone already (it failed at once): 0 matches no live process, so the record stays valid.
  const startTicks = identity?.startTicks ?? 0;
  return { role: spec.role, pid: child.pid, startTicks, child, status };
}

/**
 * The last `lines` lines of a component's log ("" when unreadable), for error messages. The log
 * is in the instance's folder, which its app can write: only its last 16 KiB are read, and not
 * through a link or a pipe.
 */
export function logTail(path: string, lines = 12): string {
  let tail: Uint8Array | null = null;
  try {
    tail = readPartBeneathSync(dirname(path), path, LOG_TAIL_BYTES, "tail");
  } catch {
    // a link, a pipe, a folder: nothing to show
  }
  const text = tail === null ? "" : new TextDecoder().decode(tail);
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

const LOG_TAIL_BYTES = 16 * 1024;
