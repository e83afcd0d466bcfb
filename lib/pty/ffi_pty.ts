import { fdPoller } from "./fd_poller.ts";
import { C, lastErrno, libc } from "../libc/mod.ts";
import { decodeWaitStatus, type ExitStatus } from "./wait_status.ts";
import { listLiveProcesses, readPidStat } from "../procfs/mod.ts";
import { signalProcess } from "./safe_signal.ts";
import { settleWithin } from "./settle_within.ts";
import type { Pty } from "./pty.ts";
import { PtyInput } from "./pty_input.ts";

const READ_BUFFER_BYTES = 256 * 1024;
/** Most bytes read from one terminal per wake-up, so that one flood cannot starve the rest. */
const MAX_READ_PER_WAKE = READ_BUFFER_BYTES;

/** Clamps a terminal dimension to what `struct winsize` and sane UIs accept. */
export function clampDimension(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(4096, Math.max(1, Math.trunc(value)));
}

/**
 * The FFI implementation of Pty. The master is non-blocking and watched by the shared poller
 * (fd_poller.ts), like a pidfd that tells the leader's exit; reads and writes are synchronous
 * calls that never block, so no thread is parked per terminal.
 */
export class FfiPty implements Pty {
  readonly exited: Promise<ExitStatus>;
  readonly ended: Promise<void>;
  #fd: number;
  #leaderStartTicks: number | null;
  #status = new Int32Array(1);
  #buffer = new Uint8Array(READ_BUFFER_BYTES);
  #listeners: ((chunk: Uint8Array) => void)[] = [];
  #input: PtyInput;
  #paused = false;
  #eof = false;
  #closing: Promise<void> | null = null;
  #endResolve: () => void = () => {};
  #stopWatching: () => void;

  constructor(fd: number, readonly pid: number, readonly ttyPath: string) {
    this.#fd = fd;
    this.#leaderStartTicks = readPidStat(pid)?.startTicks ?? null;
    this.ended = new Promise((resolve) => (this.#endResolve = resolve));
    const c = libc();
    c.fcntl(fd, C.F_SETFL, c.fcntl(fd, C.F_GETFL, 0) | C.O_NONBLOCK);
    this.#input = new PtyInput(fd, () => fdPoller().wake());
    this.exited = this.#watchExit();
    this.#stopWatching = fdPoller().add({
      fd,
      wantsRead: () =>
        this.#listeners.length > 0 && !this.#paused && !this.#eof && this.#closing === null,
      wantsWrite: () => this.#input.waiting && this.#closing === null,
      onReadable: () => this.#readAvailable(),
      onWritable: () => this.#input.flush(),
    });
  }

  /** The leader's exit through a pidfd on the shared poller (a timer on kernels without pidfd). */
  #watchExit(): Promise<ExitStatus> {
    const c = libc();
    const reap = (): ExitStatus | null => {
      const result = c.waitpid(this.pid, this.#status, C.WNOHANG);
      if (result === this.pid) return decodeWaitStatus(this.#status[0] ?? 0);
      if (result === 0) return null;
      // Not reapable by us (ECHILD): trust only /proc that the leader is really gone.
      const leader = readPidStat(this.pid);
      const alive = leader !== null && leader.startTicks === this.#leaderStartTicks &&
        leader.state !== "Z";
      return alive ? null : { code: null, signal: null };
    };
    const pidfd = Number(c.syscall(C.SYS_PIDFD_OPEN, BigInt(this.pid), 0n));
    return new Promise((resolve) => {
      if (pidfd < 0) {
        const timer = setInterval(() => {
          const status = reap();
          if (status === null) return;
          clearInterval(timer);
          resolve(status);
        }, 100);
        return;
      }
      const stop = fdPoller().add({
        fd: pidfd,
        wantsRead: () => true,
        wantsWrite: () => false,
        onReadable: () => {
          const status = reap();
          if (status === null) return;
          stop();
          c.close(pidfd);
          resolve(status);
        },
        onWritable: () => {},
      });
    });
  }

  onData(cb: (chunk: Uint8Array) => void): void {
    this.#listeners.push(cb);
    fdPoller().wake();
  }

  write(data: Uint8Array | string): void {
    if (this.#closing === null) this.#input.write(data);
  }

  resize(cols: number, rows: number): void {
    if (this.#closing !== null) return;
    const size = new Uint16Array([clampDimension(rows, 24), clampDimension(cols, 80), 0, 0]);
    libc().ioctl(this.#fd, C.TIOCSWINSZ, size);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    fdPoller().wake();
  }

  kill(signal: Deno.Signal = "SIGTERM"): void {
    for (const pid of this.#sessionMembers()) signalProcess(pid, signal);
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  /** Live members of the pty's session, unless the leader's pid was reused by a stranger. */
  #sessionMembers(): number[] {
    const leader = readPidStat(this.pid);
    if (leader !== null && leader.startTicks !== this.#leaderStartTicks) return [];
    return listLiveProcesses().filter((p) => p.sid === this.pid).map((p) => p.pid);
  }

  /**
   * Reads what the master holds (non-blocking), up to 256 KiB per wake-up, into ONE reusable
   * buffer handed to the listeners as a view (no allocation per read); notices the end.
   */
  #readAvailable(): void {
    if (this.#eof || this.#closing !== null) return;
    const c = libc();
    let filled = 0;
    let total = 0;
    const deliver = () => {
      if (filled === 0) return;
      const chunk = this.#buffer.subarray(0, filled);
      filled = 0;
      for (const listener of this.#listeners) listener(chunk);
    };
    while (total < MAX_READ_PER_WAKE && !this.#paused) {
      const room = this.#buffer.subarray(filled);
      const count = Number(c.read(this.#fd, room, BigInt(room.length)));
      if (count > 0) {
        filled += count;
        total += count;
        if (filled === this.#buffer.length) deliver();
        continue;
      }
      const errno = count < 0 ? lastErrno() : 0;
      if (errno === C.EAGAIN) break;
      if (errno === C.EINTR) continue;
      // 0, or EIO once every holder of the slave has closed it: the end of the stream.
      deliver();
      this.#eof = true;
      this.#endResolve();
      return;
    }
    deliver();
  }

  async #shutdown(): Promise<void> {
    this.#input.clear();
    // Hang up first (what a terminal close means), then insist.
    for (const signal of ["SIGHUP", "SIGCONT"] as const) this.kill(signal);
    await settleWithin(this.exited, 300);
    if (this.#sessionMembers().length > 0) this.kill("SIGKILL");
    await settleWithin(this.exited, 2000);
    this.#stopWatching();
    this.#endResolve();
    libc().close(this.#fd);
  }
}
