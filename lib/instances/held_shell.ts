import {
  attachHolderPty,
  type HolderHandle,
  holderSocketFits,
  inspectHolder,
  spawnHolder,
} from "../holder/mod.ts";
import { isRunning } from "../procfs/mod.ts";
import { type Pty, settleWithin } from "../pty/mod.ts";

/** Terminal shells run under holders in `<root>/<terminal id>`, with this executable. */
export interface TerminalHolderSetup {
  binary: string;
  /** `<data>/terms`: apart from the instances' runtime folders. */
  root: string;
}

/** What a held shell runs. */
export interface HeldShellSpec {
  /** The terminal's id: it names the runtime folder and the marker. */
  id: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  cols: number;
  rows: number;
  /** Output the holder keeps for a re-attach. */
  scrollbackBytes: number;
}

/** How long a hung-up shell gets to end before SIGKILL, then how long that may take. */
const HANG_UP_GRACE_MS = 300;
const KILL_WAIT_MS = 2000;

/**
 * The marker of a terminal's processes (AIKORE_INSTANCE_ID in their environment): never an
 * instance's, so stopping the instance leaves its terminals alone, as before.
 */
export function terminalMarker(id: string): string {
  return `aikore-terminal-${id}`;
}

/**
 * Starts a shell under a holder of its own: the C holder reads the pty (about half the CPU per
 * MiB of a read loop in Deno: one thread, no hop through Deno's FFI thread pool) and hands it
 * over a unix socket in large chunks. No log file: what a terminal shows stays in memory.
 * `close()` of the returned Pty ends the shell (hang-up, then SIGKILL) and removes its folder.
 * Null when the folder's path is too long for a unix socket (the caller runs the shell itself).
 */
export async function spawnHeldShell(
  setup: TerminalHolderSetup,
  spec: HeldShellSpec,
): Promise<Pty | null> {
  const dir = `${setup.root}/${spec.id}`;
  if (!holderSocketFits(dir)) return null;
  const handle = await spawnHolder({
    argv: spec.argv,
    env: spec.env,
    cwd: spec.cwd,
    dir,
    logPath: null,
    marker: terminalMarker(spec.id),
    cols: spec.cols,
    rows: spec.rows,
    scrollbackBytes: spec.scrollbackBytes,
  }, { binary: setup.binary });
  try {
    const { cols, rows } = spec;
    // `hold`: the holder never skips output for us; while we pause, the app waits (a terminal).
    const pty = await attachHolderPty(handle, { from: 0, hold: true, cols, rows });
    return endingOnClose(pty, dir);
  } catch (error) {
    await endHolder(handle, dir);
    throw error;
  }
}

/** A held pty whose `close()` ends the app and its holder, like closing a local pty does. */
function endingOnClose(pty: Pty, dir: string): Pty {
  let closing: Promise<void> | null = null;
  return {
    pid: pty.pid,
    ttyPath: pty.ttyPath,
    exited: pty.exited,
    ended: pty.ended,
    onData: (listener) => pty.onData(listener),
    write: (data) => pty.write(data),
    resize: (cols, rows) => pty.resize(cols, rows),
    pause: () => pty.pause(),
    resume: () => pty.resume(),
    kill: (signal) => pty.kill(signal),
    close() {
      closing ??= (async () => {
        if (!await settleWithin(pty.exited, 0)) {
          pty.kill("SIGHUP");
          pty.kill("SIGCONT");
          if (!await settleWithin(pty.exited, HANG_UP_GRACE_MS)) {
            pty.kill("SIGKILL");
            await settleWithin(pty.exited, KILL_WAIT_MS);
          }
        }
        // Detach: a holder whose app ended has written its records and exits once no client is
        // left; nothing of it needs the folder any more (it only unlinks its socket).
        await pty.close();
        await removeFolder(dir);
      })();
      return closing;
    },
  };
}

/**
 * Ends the shells a previous AiKore left under holders (it crashed, or was killed, before it
 * could close them) and removes their folders; returns how many shells were ended.
 */
export async function sweepHeldShells(root: string): Promise<number> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(root)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
  let ended = 0;
  for (const entry of entries.filter((e) => e.isDirectory)) {
    const dir = `${root}/${entry.name}`;
    const found = inspectHolder(dir);
    if (found?.state === "running") {
      await endHolder(found.handle, dir);
      ended++;
    } else {
      await removeFolder(dir);
    }
  }
  return ended;
}

/** Kills a holder's app (its whole session) and waits for the holder to go; removes `dir`. */
async function endHolder(handle: HolderHandle, dir: string): Promise<void> {
  try {
    const connection = await handle.connect();
    await connection.signal("SIGKILL", "session");
    connection.close();
  } catch {
    // the holder is gone already
  }
  await untilGone(handle.holderPid, KILL_WAIT_MS);
  await removeFolder(dir);
}

async function untilGone(pid: number, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (isRunning(pid) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function removeFolder(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
