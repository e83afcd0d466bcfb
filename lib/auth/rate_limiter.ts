/** The answer to one attempt. */
export type RateDecision =
  | {
    allowed: true;
    /** No failure from this key in the window: its check goes ahead of suspect ones. */
    clean: boolean;
    /** Call once the check is over; only a failure counts against the key. */
    finish(failed: boolean): void;
  }
  | { allowed: false; retryAfterSeconds: number; scope: "address" };

/** Limits of a sliding-window limiter. */
export interface RateLimits {
  /** Failed (or still running) attempts allowed per key within the window. */
  perKey: number;
  windowMs: number;
}

/**
 * Password checks: 5 failures per minute per client address. There is deliberately no global
 * ceiling: one that others' failures can fill locks the operator out; the cost of
 * many addresses is bounded by the hash concurrency limit instead.
 */
export const LOGIN_LIMITS: RateLimits = { perKey: 5, windowMs: 60_000 };

/** Most keys remembered at once. */
export const MAX_KEYS = 10_000;

/**
 * Sliding-window failure counter per key, in memory. A running attempt holds a slot until it
 * finishes, so parallel attempts cannot overshoot `perKey`; a success frees its slot, a failure
 * keeps it for the window; refused attempts cost nothing.
 */
export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #now: () => number;
  readonly #failures = new Map<string, number[]>();
  readonly #running = new Map<string, number>();

  constructor(limits: RateLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Number of keys currently remembered (bounded). */
  get trackedKeys(): number {
    return this.#failures.size;
  }

  /** Starts an attempt for `key` if the limit allows it. */
  attempt(key: string): RateDecision {
    const now = this.#now();
    const since = now - this.#limits.windowMs;
    const failures = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (failures.length) this.#failures.set(key, failures);
    else this.#failures.delete(key);
    const running = this.#running.get(key) ?? 0;
    if (failures.length + running >= this.#limits.perKey) {
      const oldest = failures[0] ?? now;
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((oldest + this.#limits.windowMs - now) / 1000),
      );
      return { allowed: false, retryAfterSeconds, scope: "address" };
    }
    this.#running.set(key, running + 1);
    let done = false;
    return {
      allowed: true,
      clean: failures.length === 0,
      finish: (failed) => {
        if (done) return;
        done = true;
        const left = (this.#running.get(key) ?? 1) - 1;
        if (left > 0) this.#running.set(key, left);
        else this.#running.delete(key);
        if (!failed) return;
        const list = this.#failures.get(key) ?? [];
        list.push(this.#now());
        this.#failures.delete(key); // re-insert: the Map's order stays oldest-first for pruning
        this.#failures.set(key, list);
        if (this.#failures.size > MAX_KEYS) this.#prune(this.#now() - this.#limits.windowMs);
      },
    };
  }

  #prune(since: number): void {
    for (const [key, times] of this.#failures) {
      if (!times.some((t) => t > since)) this.#failures.delete(key);
    }
    // Still too many live keys: forget the oldest tenth rather than grow without bound.
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= MAX_KEYS * 0.9) break;
      this.#failures.delete(key);
    }
  }
}
