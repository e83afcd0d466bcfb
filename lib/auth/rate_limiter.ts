/** The answer to one attempt. */
export type RateDecision =
  | { allowed: true }
  | { allowed: false; retryAfterSeconds: number; scope: "address" | "global" };

/** Limits of a sliding-window limiter. */
export interface RateLimits {
  /** Attempts allowed per key within the window. */
  perKey: number;
  /** Attempts allowed across all keys within the window (a ceiling against address rotation). */
  global: number;
  windowMs: number;
}

/** Password checks: 5 per minute per client address, 30 per minute overall. */
export const LOGIN_LIMITS: RateLimits = { perKey: 5, global: 30, windowMs: 60_000 };

/** Most keys remembered at once. */
export const MAX_KEYS = 10_000;

/**
 * Sliding-window attempt counter, in memory. An attempt is counted when allowed, so at most
 * `perKey` attempts per key can happen in any window; refused attempts cost nothing.
 */
export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #now: () => number;
  readonly #byKey = new Map<string, number[]>();
  #all: number[] = [];

  constructor(limits: RateLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  /** Number of keys currently remembered (bounded). */
  get trackedKeys(): number {
    return this.#byKey.size;
  }

  /** Records an attempt for `key` if the limits allow it. */
  attempt(key: string): RateDecision {
    const now = this.#now();
    const since = now - this.#limits.windowMs;
    const times = (this.#byKey.get(key) ?? []).filter((t) => t > since);
    this.#all = this.#all.filter((t) => t > since);
    if (times.length >= this.#limits.perKey) {
      this.#byKey.set(key, times);
      return { allowed: false, retryAfterSeconds: this.#retryAfter(times, now), scope: "address" };
    }
    if (this.#all.length >= this.#limits.global) {
      return {
        allowed: false,
        retryAfterSeconds: this.#retryAfter(this.#all, now),
        scope: "global",
      };
    }
    times.push(now);
    this.#all.push(now);
    this.#byKey.set(key, times);
    if (this.#byKey.size > MAX_KEYS) this.#prune(since);
    return { allowed: true };
  }

  #retryAfter(times: number[], now: number): number {
    const oldest = times[0] ?? now;
    return Math.max(1, Math.ceil((oldest + this.#limits.windowMs - now) / 1000));
  }

  #prune(since: number): void {
    for (const [key, times] of this.#byKey) {
      if (!times.some((t) => t > since)) this.#byKey.delete(key);
    }
    // Still too many live keys: forget the oldest tenth rather than grow without bound (a Map
    // iterates in insertion order).
    for (const key of this.#byKey.keys()) {
      if (this.#byKey.size <= MAX_KEYS * 0.9) break;
      this.#byKey.delete(key);
    }
  }
}
