import type { ExitStatus } from "./wait_status.ts";

/** What to run on a new pseudo-terminal. */
export interface PtySpawnOptions {
  /** Program, looked up in PATH; also passed as argv[0]. */
  file: string;
  args: string[];
  /** The complete environment (nothing is inherited); TERM defaults to xterm-256color. */
  env: Record<string, string>;
  cwd: string;
  cols?: number;
  rows?: number;
  /**
   * A cgroup's `cgroup.procs` file: the child enters that cgroup before the program runs (a
   * /bin/sh step that writes "0" there, then execs), so not even its first fork escapes it.
   * When the write fails the program still runs, outside the cgroup.
   */
  enterCgroup?: string;
}

/** A child process running in its own session with a pseudo-terminal as controlling tty. */
export interface Pty {
  /** The child's pid; also its session id and process group id. */
  readonly pid: number;
  /** The slave side, e.g. "/dev/pts/3". */
  readonly ttyPath: string;
  /** Queues input; never blocks the event loop (throws RangeError when 1 MiB is already queued). */
  write(data: Uint8Array | string): void;
  resize(cols: number, rows: number): void;
  /** Stops issuing reads; the child blocks once the kernel buffer fills (backpressure). */
  pause(): void;
  resume(): void;
  /**
   * Output chunks: views of a reused buffer, valid only during the call (copy what you keep).
   * Reading starts with the first listener.
   */
  onData(cb: (chunk: Uint8Array) => void): void;
  /** Resolves when the child (the session leader) has exited and been reaped. */
  readonly exited: Promise<ExitStatus>;
  /** Resolves when output reached end of stream (every holder of the slave closed it) or close(). */
  readonly ended: Promise<void>;
  /** Signals every process of the pty's session (default SIGTERM). */
  kill(signal?: Deno.Signal): void;
  /** Hangs up and kills the session, waits for pending reads, closes the master. Idempotent. */
  close(): Promise<void>;
}

export type { ExitStatus };
