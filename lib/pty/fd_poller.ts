import { C, lastErrno, libc } from "../libc/mod.ts";

/** A file descriptor the poller watches for one owner. */
export interface PollTarget {
  readonly fd: number;
  /** Interest right now; re-asked before every poll (call `wake()` after a change). */
  wantsRead(): boolean;
  wantsWrite(): boolean;
  /** Readable, hung up or in error: the owner reads (or notices the end) synchronously. */
  onReadable(): void;
  onWritable(): void;
}

const POLLFD_BYTES = 8; // struct pollfd { int fd; short events; short revents; }
/** A parked poll returns at least this often, so that no lost wake-up can stall a terminal. */
const POLL_TIMEOUT_MS = 1000;

/**
 * Watches every terminal's file descriptors with ONE parked `poll()` call. Deno runs each
 * `nonblocking` FFI call on a small shared thread pool; a parked read and waitpid per terminal
 * would exhaust it at 16 terminals and stall every async file operation of the process.
 * An eventfd wakes the poll when the set or an interest changes. No target, no parked call.
 */
export class FdPoller {
  readonly #targets = new Set<PollTarget>();
  #wakeFd = -1;
  #running = false;
  #waking = new BigUint64Array([1n]);
  #drain = new BigUint64Array(1);

  /** Starts watching `target`; the returned function stops (idempotent). */
  add(target: PollTarget): () => void {
    this.#targets.add(target);
    this.#ensureLoop();
    this.wake();
    return () => {
      if (this.#targets.delete(target)) this.wake();
    };
  }

  /** Makes the parked poll return so that interests are read again. */
  wake(): void {
    if (this.#wakeFd >= 0) libc().write(this.#wakeFd, this.#waking, 8n);
  }

  get size(): number {
    return this.#targets.size;
  }

  #ensureLoop(): void {
    if (this.#running) return;
    if (this.#wakeFd < 0) {
      this.#wakeFd = libc().eventfd(0, C.EFD_NONBLOCK | C.EFD_CLOEXEC);
      if (this.#wakeFd < 0) throw new Error(`eventfd failed (errno ${lastErrno()})`);
    }
    this.#running = true;
    this.#loop().catch(() => {}).finally(() => {
      this.#running = false;
      if (this.#targets.size > 0) {
        this.#ensureLoop();
      } else {
        libc().close(this.#wakeFd);
        this.#wakeFd = -1;
      }
    });
  }

  async #loop(): Promise<void> {
    const c = libc();
    while (this.#targets.size > 0) {
      const watched = [...this.#targets];
      const buffer = new Uint8Array(POLLFD_BYTES * (watched.length + 1));
      const view = new DataView(buffer.buffer);
      view.setInt32(0, this.#wakeFd, true);
      view.setInt16(4, C.POLLIN, true);
      watched.forEach((target, index) => {
        const events = (target.wantsRead() ? C.POLLIN : 0) | (target.wantsWrite() ? C.POLLOUT : 0);
        // A negative fd is ignored by poll(): no interest means not even hang-ups are reported.
        view.setInt32(POLLFD_BYTES * (index + 1), events === 0 ? -1 : target.fd, true);
        view.setInt16(POLLFD_BYTES * (index + 1) + 4, events, true);
      });
      const ready = await c.poll_nb(buffer, BigInt(watched.length + 1), POLL_TIMEOUT_MS);
      if (ready < 0) continue; // EINTR and friends: poll again
      if (view.getInt16(6, true) !== 0) c.read(this.#wakeFd, this.#drain, 8n);
      watched.forEach((target, index) => {
        const revents = view.getInt16(POLLFD_BYTES * (index + 1) + 6, true);
        if (revents === 0 || !this.#targets.has(target) || (revents & C.POLLNVAL) !== 0) return;
        if ((revents & (C.POLLIN | C.POLLHUP | C.POLLERR)) !== 0) target.onReadable();
        if ((revents & C.POLLOUT) !== 0 && this.#targets.has(target)) target.onWritable();
      });
    }
  }
}

let shared: FdPoller | null = null;

/** The process-wide poller. */
export function fdPoller(): FdPoller {
  shared ??= new FdPoller();
  return shared;
}
