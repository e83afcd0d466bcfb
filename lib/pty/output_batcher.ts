/**
 * Coalesces streaming output into larger frames. While less than `immediateBytes` went out in
 * the current `windowMs`, a chunk is sent at once (keystroke echo and prompts stay immediate);
 * beyond that — a flood — chunks are gathered for up to `windowMs` or `maxBytes`, which cuts
 * per-frame costs (syscalls, events, acks) on both ends of the socket.
 */
export class OutputBatcher {
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #windowStart = -Infinity;
  #windowBytes = 0;

  constructor(
    private readonly sendFrame: (frame: Uint8Array) => void,
    private readonly windowMs = 4,
    private readonly maxBytes = 64 * 1024,
    private readonly immediateBytes = 16 * 1024,
  ) {}

  push(chunk: Uint8Array): void {
    const now = performance.now();
    if (now - this.#windowStart >= this.windowMs) {
      this.#windowStart = now;
      this.#windowBytes = 0;
    }
    const idle = this.#timer === null && this.#bytes === 0;
    if (idle && this.#windowBytes + chunk.length <= this.immediateBytes) {
      this.#windowBytes += chunk.length;
      this.sendFrame(chunk);
      return;
    }
    this.#parts.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes >= this.maxBytes) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  /** Sends whatever is gathered now (before a control message, on exit). */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#bytes === 0) return;
    const frame = this.#parts.length === 1 && this.#parts[0]
      ? this.#parts[0]
      : concat(this.#parts, this.#bytes);
    this.#parts = [];
    this.#bytes = 0;
    this.sendFrame(frame);
  }

  /** Drops anything gathered and stops the timer (the socket is gone). */
  dispose(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#parts = [];
    this.#bytes = 0;
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
