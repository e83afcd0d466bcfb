/** Tuning of an OutputBatcher; every field has a default. */
export interface OutputBatcherOptions {
  /**
   * Unacknowledged bytes up to which output goes out at once (default 128 KiB). Must be at
   * least the client's ack interval: a client acks only every `ackEveryBytes`, so a smaller
   * value could hold output that the client will never ack.
   */
  inFlightBytes?: number;
  /** Largest gathered frame (default 256 KiB); a full batch goes out without waiting. */
  maxFrameBytes?: number;
}

/**
 * Paces output by the consumer's acks (no timers): while the consumer has acknowledged all
 * but `inFlightBytes`, each chunk is sent at once (keystroke echo stays immediate); beyond
 * that — a flood outrunning the client — chunks are copied into ONE reusable buffer and sent
 * as a single frame when the next ack arrives or the buffer is full. Frames grow exactly as
 * much as the consumer is slow, which cuts per-frame costs (syscalls, events, acks) on both
 * ends. The sink must copy what it is given before returning (WebSocket.send does).
 */
export class OutputBatcher {
  #buffer: Uint8Array | null = null;
  #filled = 0;
  #unacked = 0;
  readonly #inFlight: number;
  readonly #maxFrame: number;

  constructor(
    private readonly sendFrame: (frame: Uint8Array) => void,
    options: OutputBatcherOptions = {},
  ) {
    this.#inFlight = options.inFlightBytes ?? 128 * 1024;
    this.#maxFrame = options.maxFrameBytes ?? 256 * 1024;
  }

  /** Bytes sent that the consumer has not acknowledged yet. */
  get unacked(): number {
    return this.#unacked;
  }

  /** Bytes gathered and not sent yet. */
  get gathered(): number {
    return this.#filled;
  }

  push(chunk: Uint8Array): void {
    if (this.#filled === 0 && (this.#unacked < this.#inFlight || chunk.length >= this.#maxFrame)) {
      this.#send(chunk);
      return;
    }
    if (this.#filled + chunk.length > this.#maxFrame) this.flush();
    if (chunk.length >= this.#maxFrame) {
      this.#send(chunk); // a replay larger than a frame: no copy
      return;
    }
    this.#buffer ??= new Uint8Array(this.#maxFrame);
    this.#buffer.set(chunk, this.#filled);
    this.#filled += chunk.length;
    if (this.#filled === this.#maxFrame) this.flush();
  }

  /** The consumer acknowledged `bytes` more bytes: gathered output goes out if it may. */
  acked(bytes: number): void {
    this.#unacked = Math.max(0, this.#unacked - bytes);
    if (this.#filled > 0 && this.#unacked < this.#inFlight) this.flush();
  }

  /** Sends whatever is gathered now (before a control message, on exit). */
  flush(): void {
    if (this.#filled === 0 || this.#buffer === null) return;
    const frame = this.#buffer.subarray(0, this.#filled);
    this.#filled = 0;
    this.#send(frame);
  }

  /** Drops anything gathered and the buffer (the socket is gone). */
  dispose(): void {
    this.#filled = 0;
    this.#buffer = null;
  }

  #send(frame: Uint8Array): void {
    this.#unacked += frame.length;
    this.sendFrame(frame);
  }
}
