/** One published event; `id` grows by one per event so clients can resume. */
export interface BusEvent<T = unknown> {
  id: number;
  type: string;
  data: T;
}

export type BusListener = (event: BusEvent) => void;

/**
 * In-process publish/subscribe with a bounded replay ring. A client that reconnects with
 * `Last-Event-ID` gets every event it missed, or a `resync` marker when the gap is older
 * than the ring (it then reloads the full state).
 */
export class EventBus {
  #nextId = 1;
  readonly #ring: BusEvent[] = [];
  readonly #listeners = new Set<BusListener>();

  constructor(private readonly capacity = 2000) {}

  publish<T>(type: string, data: T): BusEvent<T> {
    const event: BusEvent<T> = { id: this.#nextId++, type, data };
    this.#ring.push(event);
    if (this.#ring.length > this.capacity) this.#ring.shift();
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must not stop the others; it unsubscribes itself on close.
      }
    }
    return event;
  }

  /** The id of the newest event (0 when none). */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /**
   * Events after `lastEventId`, or null when some were already dropped from the ring
   * (the caller must resync).
   */
  since(lastEventId: number): BusEvent[] | null {
    if (lastEventId >= this.lastId) return [];
    const oldest = this.#ring[0];
    if (!oldest || oldest.id > lastEventId + 1) return null;
    return this.#ring.filter((event) => event.id > lastEventId);
  }

  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.#listeners.size;
  }
}
