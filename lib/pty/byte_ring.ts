/** A fixed-capacity byte buffer that keeps the most recent bytes written to it. */
export class ByteRing {
  #data: Uint8Array;
  #start = 0;
  #length = 0;
  #total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Scrollback capacity must be a positive integer, got ${capacity}`);
    }
    this.#data = new Uint8Array(capacity);
  }

  /** Bytes currently held (≤ capacity). */
  get length(): number {
    return this.#length;
  }

  /** Bytes ever written, including those that fell out. */
  get totalWritten(): number {
    return this.#total;
  }

  push(chunk: Uint8Array): void {
    this.#total += chunk.length;
    const capacity = this.capacity;
    // Only the last `capacity` bytes of a huge chunk can survive.
    const bytes = chunk.length > capacity ? chunk.subarray(chunk.length - capacity) : chunk;
    const end = (this.#start + this.#length) % capacity;
    const first = Math.min(bytes.length, capacity - end);
    this.#data.set(bytes.subarray(0, first), end);
    this.#data.set(bytes.subarray(first), 0);
    const overflow = this.#length + bytes.length - capacity;
    if (overflow > 0) {
      this.#start = (this.#start + overflow) % capacity;
      this.#length = capacity;
    } else {
      this.#length += bytes.length;
    }
  }

  /**
   * The last `maxBytes` bytes (all by default), oldest first. When the cut falls inside a UTF-8
   * sequence, the orphaned continuation bytes are dropped so a decoder starts on a character.
   */
  snapshot(maxBytes = this.#length): Uint8Array {
    const count = Math.min(Math.max(0, maxBytes), this.#length);
    const out = new Uint8Array(count);
    const from = (this.#start + this.#length - count) % this.capacity;
    const first = Math.min(count, this.capacity - from);
    out.set(this.#data.subarray(from, from + first));
    out.set(this.#data.subarray(0, count - first), first);
    const cut = count < this.#total;
    let skip = 0;
    while (cut && skip < 3 && skip < out.length && ((out[skip] ?? 0) & 0xc0) === 0x80) skip++;
    return skip ? out.subarray(skip) : out;
  }

  clear(): void {
    this.#start = 0;
    this.#length = 0;
  }
}
