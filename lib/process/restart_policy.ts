/** Delay before restart attempt after `consecutiveFailures` failures: 1 s, 2 s, 4 s … ≤ 60 s. */
export function backoffDelayMs(consecutiveFailures: number): number {
  const exponent = Math.max(0, Math.min(30, Math.trunc(consecutiveFailures) - 1));
  return Math.min(60_000, 1000 * 2 ** exponent);
}

/** Limits of the on-failure restart policy. */
export interface RestartLimits {
  /** Failures within `windowMs` that make the tracker give up (default 5). */
  maxFailures?: number;
  /** Default 5 minutes. */
  windowMs?: number;
  /** A run that stayed up this long counts as a good start and clears the history (10 s). */
  startSeconds?: number;
}

/** What to do after a run ended. */
export type RestartDecision =
  | { action: "none" }
  | { action: "restart"; delayMs: number; consecutiveFailures: number }
  | { action: "give-up"; failures: number };

/**
 * Decides restart vs give-up for an on-failure policy. Pure: the clock is injected (a
 * monotonic one by default) so tests and callers control time.
 */
export class RestartTracker {
  #failures: number[] = [];
  #startedAt: number | null = null;
  #maxFailures: number;
  #windowMs: number;
  #startMs: number;

  constructor(
    limits: RestartLimits = {},
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.#maxFailures = limits.maxFailures ?? 5;
    this.#windowMs = limits.windowMs ?? 5 * 60_000;
    this.#startMs = (limits.startSeconds ?? 10) * 1000;
  }

  /** Failures counted towards giving up right now. */
  get consecutiveFailures(): number {
    return this.#failures.length;
  }

  /** Call when a run starts. */
  started(): void {
    this.#startedAt = this.now();
  }

  /** Call when a run ended; `failed` is false for a clean exit (code 0, or a user stop). */
  ended(failed: boolean): RestartDecision {
    const now = this.now();
    const ranFor = this.#startedAt === null ? 0 : now - this.#startedAt;
    this.#startedAt = null;
    if (ranFor >= this.#startMs) this.#failures = [];
    if (!failed) return { action: "none" };
    this.#failures = this.#failures.filter((time) => now - time < this.#windowMs);
    this.#failures.push(now);
    if (this.#failures.length >= this.#maxFailures) {
      return { action: "give-up", failures: this.#failures.length };
    }
    const consecutiveFailures = this.#failures.length;
    return { action: "restart", delayMs: backoffDelayMs(consecutiveFailures), consecutiveFailures };
  }

  /** Forget the history (the user started or stopped the instance by hand). */
  reset(): void {
    this.#failures = [];
    this.#startedAt = null;
  }
}
