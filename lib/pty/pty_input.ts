import { fdPoller } from "./fd_poller.ts";
import { C, lastErrno, libc } from "../libc/mod.ts";

/** Input allowed to wait for a terminal that does not read it; more is refused. */
export const MAX_QUEUED_INPUT_BYTES = 1024 * 1024;
const encoder = new TextEncoder();

/**
 * Input for a non-blocking pty master: written at once while the terminal takes it, the rest
 * queued (copied, at most 1 MiB) and written when the master is writable again. The owner
 * watches writability (`waiting`) and calls `flush()`; `onBacklog` is told when input is left
 * over, so that a keystroke that went out whole costs no poll round trip before its echo.
 */
export class PtyInput {
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;

  constructor(readonly fd: number, private readonly onBacklog: () => void) {}

  /** True while input waits for the terminal. */
  get waiting(): boolean {
    return this.#queue.length > 0;
  }

  /** Writes or queues `data`; throws a RangeError when 1 MiB is already waiting. */
  write(data: Uint8Array | string): void {
    const owned = typeof data === "string"; // encoded here: ours to keep without a copy
    let bytes = owned ? encoder.encode(data) : data;
    if (bytes.length === 0) return;
    if (this.#queue.length === 0) {
      const written = this.#writeSome(bytes);
      if (written === null || written === bytes.length) return;
      bytes = bytes.subarray(written);
    }
    if (this.#queuedBytes + bytes.length > MAX_QUEUED_INPUT_BYTES) {
      throw new RangeError("Terminal input refused: 1 MiB of input is already waiting to be read");
    }
    this.#queue.push(owned ? bytes : bytes.slice());
    this.#queuedBytes += bytes.length;
    this.flush();
  }

  /** Writes queued input until the terminal would block. */
  flush(): void {
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Uint8Array;
      const count = this.#writeSome(next);
      if (count === null) return;
      if (count === 0) break;
      this.#queuedBytes -= count;
      if (count < next.length) this.#queue[0] = next.subarray(count);
      else this.#queue.shift();
    }
    if (this.#queue.length > 0) this.onBacklog();
  }

  /** Drops what waits (the terminal is closing). */
  clear(): void {
    this.#queue = [];
    this.#queuedBytes = 0;
  }

  /** Bytes written (0: the terminal would block), or null when it is gone (the queue is dropped). */
  #writeSome(bytes: Uint8Array): number | null {
    for (;;) {
      const count = Number(libc().write(this.fd, bytes, BigInt(bytes.length)));
      if (count >= 0) return count;
      const errno = lastErrno();
      if (errno === C.EAGAIN) return 0;
      if (errno === C.EINTR) continue;
      this.clear();
      return null;
    }
  }
}

/** Input written straight to a pty master that this process does not read. */
export interface PtyInputWriter {
  write(data: Uint8Array | string): void;
  /** Drops what waits and closes the descriptor (idempotent). */
  close(): void;
}

/**
 * Owns `fd` (a non-blocking pty master, e.g. a held app's, passed by its holder) for input
 * only. Keystrokes are written at once; the shared poller watches the descriptor only while
 * input is left over, so an idle terminal costs the poller nothing (no parked poll for it).
 */
export function ptyInputWriter(fd: number): PtyInputWriter {
  let stopWatching: (() => void) | null = null;
  const unwatch = () => {
    stopWatching?.();
    stopWatching = null;
  };
  const input: PtyInput = new PtyInput(fd, () => {
    stopWatching ??= fdPoller().add({
      fd,
      wantsRead: () => false,
      wantsWrite: () => input.waiting,
      onReadable: () => {},
      onWritable: () => {
        input.flush();
        if (!input.waiting) unwatch();
      },
    });
  });
  let open = true;
  return {
    write(data) {
      if (!open) return;
      try {
        input.write(data);
      } finally {
        if (!input.waiting) unwatch(); // drained, or the terminal is gone
      }
    },
    close() {
      if (!open) return;
      open = false;
      input.clear();
      unwatch();
      libc().close(fd);
    },
  };
}
