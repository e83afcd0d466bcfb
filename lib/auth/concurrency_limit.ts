/**
 * Runs at most `slots` async jobs at once; the rest wait in arrival order, urgent ones first
 * (a login from an address without failures goes ahead of a password-guessing queue).
 */
export class ConcurrencyLimit {
  #free: number;
  readonly #urgent: Array<() => void> = [];
  readonly #waiting: Array<() => void> = [];

  constructor(slots: number) {
    this.#free = slots;
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.#urgent.length + this.#waiting.length;
  }

  /** Runs `work` when a slot is free. */
  async run<T>(work: () => Promise<T>, urgent = false): Promise<T> {
    if (this.#free === 0) {
      await new Promise<void>((resolve) => (urgent ? this.#urgent : this.#waiting).push(resolve));
    } else this.#free--;
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, so a newcomer cannot overtake it.
      const next = this.#urgent.shift() ?? this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
