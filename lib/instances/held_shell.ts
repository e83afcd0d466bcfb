import {
  attachHolderPty,
  type HolderHandle,
  holderSocketFits,
  inspectHolder,
  spawnHolder,
} from "../holder/mod.ts";
import { writeFileAtomic } from "../fs/mod.ts";
import { isRunning } from "../procfs/mod.ts";
import { type Pty, settleWithin } from "../pty/mod.ts";

/** Terminal shells run under holders in `<root>/<terminal id>`, with this executable. */
export interface TerminalHolderSetup {
  binary: string;
  /** `<data>/terms`: apart from the instances' runtime folders. */
  root: string;
}

/** What AiKore keeps beside a held shell (`terminal.json`), to adopt it after a restart. */
export interface HeldShellRecord {
  /** The terminal's id: it names the runtime folder and the marker. */
  id: string;
  instanceId: number;
  /** When the terminal was opened (ms since the epoch). */
  createdAt: number;
}

/** What a held shell runs, and the record kept beside it. */
export interface HeldShellSpec extends HeldShellRecord {
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

/** A held shell: `close()` ends it; `detach()` leaves it running for the next AiKore. */
export interface HeldPty extends Pty {
  detach(): Promise<void>;
}

const RECORD_FILE = "terminal.json";

/**
 * The marker of a terminal's processes (AIKORE_INSTANCE_ID in their environment): never an
 * instance's, so stopping the instance leaves its terminals alone, as before.
 */
export function terminalMarker(id: string): string {
  return `aikore-terminal-${id}`;
}

/**
 * Starts a shell under a holder of its own, so that it outlives AiKore like an instance's app:
 * while AiKore is away the holder keeps reading it (its ring keeps the last output), and the
 * next AiKore takes it back (`adoptHeldShells`). No log file: what a terminal shows stays in
 * memory.
 * `close()` of the returned Pty ends the shell (hang-up, then SIGKILL) and removes its folder;
 * `detach()` leaves it to the next AiKore (`adoptHeldShells`). Null when the folder's path is
 * too long for a unix socket (the caller runs the shell itself).
 */
export async function spawnHeldShell(
  setup: TerminalHolderSetup,
  spec: HeldShellSpec,
): Promise<HeldPty | null> {
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
    const record: HeldShellRecord = {
      id: spec.id,
      instanceId: spec.instanceId,
      createdAt: spec.createdAt,
    };
    await writeFileAtomic(`${dir}/${RECORD_FILE}`, JSON.stringify({ format: 1, ...record }), 0o600);
    return await attachShell(handle, dir, { cols: spec.cols, rows: spec.rows });
  } catch (error) {
    await endHolder(handle, dir);
    throw error;
  }
}

/** Attaches to a held shell with `hold`: nothing is skipped; while we pause, the shell waits. */
async function attachShell(
  handle: HolderHandle,
  dir: string,
  size: { cols?: number; rows?: number } = {},
): Promise<HeldPty> {
  const pty = await attachHolderPty(handle, { from: 0, hold: true, ...size });
  return endingOnClose(pty, dir);
}

/** A held pty whose `close()` ends the app and its holder, like closing a local pty does. */
function endingOnClose(pty: Pty, dir: string): HeldPty {
  let closing: Promise<void> | null = null;
  return {
    detach: () => pty.close(),
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
 * The shells a previous AiKore left under holders (it stopped with "leave", crashed or was
 * killed): those `keep` accepts are attached again, with their scrollback; the others are
 * ended, and folders without a live shell removed.
 */
export async function adoptHeldShells(
  root: string,
  keep: (record: HeldShellRecord) => boolean,
): Promise<{ adopted: { record: HeldShellRecord; pty: HeldPty }[]; ended: number }> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(root)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { adopted: [], ended: 0 };
    throw error;
  }
  const adopted: { record: HeldShellRecord; pty: HeldPty }[] = [];
  let ended = 0;
  for (const entry of entries.filter((e) => e.isDirectory)) {
    const dir = `${root}/${entry.name}`;
    const found = inspectHolder(dir);
    if (found?.state !== "running") {
      await removeFolder(dir);
      continue;
    }
    const record = readRecord(dir);
    if (found.appAlive && record !== null && record.id === entry.name && keep(record)) {
      try {
        adopted.push({ record, pty: await attachShell(found.handle, dir) });
        continue;
      } catch {
        // it went away meanwhile, or refuses us: end what is left of it below
      }
    }
    await endHolder(found.handle, dir);
    ended++;
  }
  return { adopted, ended };
}

/** Ends every shell left under `root` (see adoptHeldShells); returns how many were ended. */
export async function sweepHeldShells(root: string): Promise<number> {
  return (await adoptHeldShells(root, () => false)).ended;
}

function readRecord(dir: string): HeldShellRecord | null {
  try {
    const raw = JSON.parse(Deno.readTextFileSync(`${dir}/${RECORD_FILE}`));
    const valid = raw?.format === 1 && typeof raw.id === "string" &&
      Number.isSafeInteger(raw.instanceId) && Number.isFinite(raw.createdAt);
    return valid ? { id: raw.id, instanceId: raw.instanceId, createdAt: raw.createdAt } : null;
  } catch {
    return null; // missing or damaged: the shell is ended, never guessed at
  }
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
