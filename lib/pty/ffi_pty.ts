import { C, cString, libc } from "./libc.ts";
import { decodeWaitStatus, type ExitStatus } from "./wait_status.ts";
import { listLiveProcesses, readProcStat } from "./proc_stat.ts";
import { signalProcess } from "./safe_signal.ts";
import { settleWithin } from "./settle_within.ts";
import type { Pty } from "./pty.ts";

const READ_BUFFER_BYTES = 64 * 1024;
const MAX_QUEUED_INPUT_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

/** Clamps a terminal dimension to what `struct winsize` and sane UIs accept. */
export function clampDimension(value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(4096, Math.max(1, Math.trunc(value)));
}

/** The FFI implementation of Pty: one parked `read` and one parked `waitpid` per terminal. */
export class FfiPty implements Pty {
  readonly exited: Promise<ExitStatus>;
  readonly ended: Promise<void>;
  #fd: number;
  #leaderStartTicks: number | null;
  #status = new Int32Array(1);
  #buffer = new Uint8Array(READ_BUFFER_BYTES);
  #available = new Int32Array(1);
  #listeners: ((chunk: Uint8Array) => void)[] = [];
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #paused = false;
  #reading: Promise<void> | null = null;
  #writing = false;
  #eof = false;
  #closing: Promise<void> | null = null;
  #endResolve: () => void = () => {};

  constructor(fd: number, readonly pid: number, readonly ttyPath: string) {
    this.#fd = fd;
    this.#leaderStartTicks = readProcStat(pid)?.startTicks ?? null;
    this.ended = new Promise((resolve) => (this.#endResolve = resolve));
    this.exited = libc().waitpid_nb(pid, this.#status, 0).then((result) => {
      return result === pid ? decodeWaitStatus(this.#status[0] ?? 0) : { code: null, signal: null };
    });
  }

  onData(cb: (chunk: Uint8Array) => void): void {
    this.#listeners.push(cb);
    this.#pump();
  }

  write(data: Uint8Array | string): void {
    if (this.#closing !== null) return;
    const bytes = typeof data === "string" ? encoder.encode(data) : data.slice();
    if (bytes.length === 0) return;
    if (this.#queuedBytes + bytes.length > MAX_QUEUED_INPUT_BYTES) {
      throw new RangeError("Terminal input refused: 1 MiB of input is already waiting to be read");
    }
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.length;
    this.#flush();
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
    this.#pump();
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
    const leader = readProcStat(this.pid);
    if (leader !== null && leader.startTicks !== this.#leaderStartTicks) return [];
    return listLiveProcesses().filter((p) => p.sid === this.pid).map((p) => p.pid);
  }

  #pump(): void {
    if (this.#reading || this.#paused || this.#eof || this.#closing || !this.#listeners.length) {
      return;
    }
    this.#reading = libc().read_nb(this.#fd, this.#buffer, BigInt(this.#buffer.length)).then(
      (result) => {
        this.#reading = null;
        const count = Number(result);
        // errno is not readable after a nonblocking call (it lives on the worker thread), so
        // any n <= 0 is end of stream: EIO once every holder of the slave has closed it.
        if (count <= 0) {
          this.#eof = true;
          this.#endResolve();
          return;
        }
        if (this.#closing !== null) return;
        const chunk = this.#buffer.slice(0, count + this.#drainAvailable(count));
        for (const listener of this.#listeners) listener(chunk);
        this.#pump();
      },
    );
  }

  /**
   * The tty layer hands out about 4 KiB per read. What is already buffered can be read
   * synchronously without blocking (FIONREAD says how much; this loop is the only reader), so
   * one wake-up yields up to 64 KiB: fewer thread hand-offs and bigger WebSocket frames.
   */
  #drainAvailable(offset: number): number {
    const c = libc();
    let total = 0;
    while (offset + total < this.#buffer.length) {
      if (c.ioctl(this.#fd, C.FIONREAD, this.#available) !== 0) break;
      const available = this.#available[0] ?? 0;
      if (available <= 0) break;
      const room = this.#buffer.subarray(offset + total);
      const count = Number(c.read(this.#fd, room, BigInt(Math.min(available, room.length))));
      if (count <= 0) break;
      total += count;
    }
    return total;
  }

  #flush(): void {
    const next = this.#queue[0];
    if (this.#writing || next === undefined || this.#closing !== null) return;
    this.#writing = true;
    libc().write_nb(this.#fd, next, BigInt(next.length)).then((result) => {
      this.#writing = false;
      const count = Number(result);
      if (count <= 0) {
        this.#queue = [];
        this.#queuedBytes = 0;
        return;
      }
      this.#queuedBytes -= count;
      if (count < next.length) this.#queue[0] = next.subarray(count);
      else this.#queue.shift();
      this.#flush();
    });
  }

  async #shutdown(): Promise<void> {
    this.#queue = [];
    // Hang up first (what a terminal close means), then insist.
    for (const signal of ["SIGHUP", "SIGCONT"] as const) this.kill(signal);
    await settleWithin(this.exited, 300);
    if (this.#sessionMembers().length > 0) this.kill("SIGKILL");
    await settleWithin(this.exited, 2000);
    // close() does not wake a read parked on another thread: make the master readable instead.
    for (let attempt = 0; this.#reading !== null && attempt < 20; attempt++) {
      if (attempt > 0) nudgeMaster(this.ttyPath);
      await settleWithin(this.#reading, 50);
    }
    this.#endResolve();
    // A read or write still parked keeps its own reference to the file, so closing the number
    // is safe; it only means that worker thread returns whenever the kernel lets it.
    libc().close(this.#fd);
  }
}

/** Opens the slave briefly and writes one byte so that a read parked on the master returns. */
function nudgeMaster(ttyPath: string): void {
  const c = libc();
  const fd = c.open(cString(ttyPath), C.O_RDWR | C.O_NOCTTY | C.O_NONBLOCK | C.O_CLOEXEC);
  if (fd < 0) return;
  c.write(fd, new Uint8Array([0x20]), 1n);
  c.close(fd);
}
