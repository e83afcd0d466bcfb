/**
 * The ways output reaches a terminal WebSocket in the benchmarks, each a Pty factory for
 * serveBridged: an interactive shell under its holder (as lib/instances/terminals.ts runs it),
 * the same on a pty of this process (the terminals' fallback without a holder), and an app under
 * a per-instance holder (the console path, through attachHolderPty).
 */
import { type Pty, spawnPty } from "../../lib/pty/mod.ts";
import {
  attachHolderPty,
  type HolderHandle,
  type HolderPlan,
  spawnHolder,
} from "../../lib/holder/mod.ts";
import { isRunning, readPidStat } from "../../lib/procfs/mod.ts";
import { spawnHeldShell, TERMINAL_SESSION } from "../../lib/instances/mod.ts";
import { buildNative } from "../build_native.ts";
import { BENCH_ENV, catShellCommand, type PtyFactory } from "./pty_bench_support.ts";

/** What the holder's app prints before the payload (it waits for the attach, then a newline). */
export const HOLDER_READY = "ready\r\n";

/** Runs `then(pty)` once, right after the session registered its output listener. */
function onFirstListener(pty: Pty, then: (pty: Pty) => void): Pty {
  let first = true;
  return {
    pid: pty.pid,
    ttyPath: pty.ttyPath,
    exited: pty.exited,
    ended: pty.ended,
    write: (data) => pty.write(data),
    resize: (cols, rows) => pty.resize(cols, rows),
    pause: () => pty.pause(),
    resume: () => pty.resume(),
    kill: (signal) => pty.kill(signal),
    close: () => pty.close(),
    onData(listener) {
      pty.onData(listener);
      if (first) then(pty);
      first = false;
    },
  };
}

/**
 * An interactive bash (no rc files) on a pty of this process, told to `exec cat path` once a
 * viewer listens: a terminal where no holder can run.
 */
export function interactiveShell(path: string): PtyFactory {
  return () => {
    const pty = spawnPty({
      file: "bash",
      args: ["--norc", "--noprofile", "-i"],
      env: BENCH_ENV,
      cwd: "/tmp",
      cols: 120,
      rows: 40,
    });
    return onFirstListener(pty, (p) => p.write(`exec ${catShellCommand(path)}\n`));
  };
}

/** CPU ms (user + system) a live process has used itself, its reaped children excluded. */
function ownCpuMs(pid: number): number {
  const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = text.slice(text.lastIndexOf(") ") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
  return (ticks / CLOCK_TICKS) * 1000;
}

/** sysconf(_SC_CLK_TCK) on Linux (the auxv's AT_CLKTCK); 100 on every kernel we run on. */
const CLOCK_TICKS = 100;

/** Holders spawned by `holderFarm`, for cleanup, and what they cost. */
export interface HolderFarm {
  factory(path: string): PtyFactory;
  /**
   * CPU ms the holders of `factory` used, from their start to their app's exit, since the last
   * call (10 ms resolution): the console path's cost that is not AiKore's.
   */
  takeHolderCpuMs(): number;
  /** An interactive bash (no rc files) under a holder, as an instance console would be. */
  shell(): PtyFactory;
  /**
   * An interactive bash (no rc files) under a holder, started as AiKore starts a terminal
   * (spawnHeldShell), told to `exec cat path` once a viewer listens when `path` is given. Its
   * holder's CPU is counted like the console's (`takeHolderCpuMs`).
   */
  terminal(path?: string): PtyFactory;
  close(): Promise<void>;
}

/** A held `cat path`: holder (C) → unix socket → attachHolderPty, lossless (`hold`). */
export async function holderFarm(): Promise<HolderFarm> {
  const binary = (await buildNative()).binary;
  const root = await Deno.makeTempDir({ prefix: "aikore-ptyb-" });
  let serial = 0;
  const plan = (argv: string[]): HolderPlan => {
    const name = `h${serial++}`;
    return {
      argv,
      env: BENCH_ENV,
      cwd: "/tmp",
      dir: `${root}/${name}`,
      logPath: `${root}/logs/${name}.log`,
      marker: `bench-pty-${name}`,
    };
  };
  const shells: HolderHandle[] = [];
  let holderCpuMs = 0;
  return {
    takeHolderCpuMs() {
      const taken = holderCpuMs;
      holderCpuMs = 0;
      return taken;
    },
    shell: () => async () => {
      const handle = await spawnHolder(plan(["bash", "--norc", "--noprofile", "-i"]), { binary });
      shells.push(handle);
      return await attachHolderPty(handle, { from: 0, hold: true, cols: 120, rows: 40 });
    },
    terminal: (path) => async () => {
      const shell = ["bash", "--norc", "--noprofile", "-i"];
      const setup = { binary, root: `${root}/terms` };
      const pty = await spawnHeldShell(setup, {
        id: `t${serial++}`,
        instanceId: 1,
        createdAt: Date.now(),
        argv: shell,
        env: BENCH_ENV,
        cwd: "/tmp",
        cols: 120,
        rows: 40,
        scrollbackBytes: TERMINAL_SESSION.scrollbackBytes ?? 512 * 1024,
      });
      if (pty === null) throw new Error(`the holder's socket path is too long under ${root}`);
      const holderPid = readPidStat(pty.pid)?.ppid ?? 0;
      const exited = pty.exited.then((status) => {
        holderCpuMs += ownCpuMs(holderPid);
        return status;
      });
      if (path === undefined) return pty;
      return onFirstListener({ ...pty, exited }, (p) => p.write(`exec ${catShellCommand(path)}\n`));
    },
    factory: (path) => async () => {
      const argv = ["bash", "-c", `stty -echo; echo ready; read _; exec ${catShellCommand(path)}`];
      const handle = await spawnHolder(plan(argv), { binary });
      const pty = await attachHolderPty(handle, { from: 0, hold: true, cols: 120, rows: 40 });
      // The holder waits for its last client to leave before it exits: it is still there to read.
      const exited = pty.exited.then((status) => {
        holderCpuMs += ownCpuMs(handle.holderPid);
        return status;
      });
      return onFirstListener({ ...pty, exited }, (p) => p.write("\n"));
    },
    async close() {
      // A held app outlives its viewers: end it, then wait for its holder to go.
      for (const handle of shells) {
        const connection = await handle.connect();
        await connection.signal("SIGKILL", "session");
        connection.close();
        while (isRunning(handle.holderPid)) await new Promise((r) => setTimeout(r, 20));
      }
      await Deno.remove(root, { recursive: true });
    },
  };
}
