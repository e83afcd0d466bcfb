import { type RestartDecision, RestartTracker } from "../process/mod.ts";

/**
 * The `on-failure` restart policy over time: one tracker per instance (back-off and give-up
 * decisions) and at most one pending restart timer per instance.
 */
export class RestartScheduler {
  readonly #trackers = new Map<number, RestartTracker>();
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A run of instance `id` began (under the on-failure policy). */
  started(id: number): void {
    let tracker = this.#trackers.get(id);
    if (!tracker) {
      tracker = new RestartTracker({}, this.now);
      this.#trackers.set(id, tracker);
    }
    tracker.started();
  }

  /** A run ended: what to do, or null when the instance is not under the policy. */
  ended(id: number, failed: boolean): RestartDecision | null {
    return this.#trackers.get(id)?.ended(failed) ?? null;
  }

  /** Runs `restart` after `delayMs` unless cancelled first. */
  schedule(id: number, delayMs: number, restart: () => void): void {
    this.cancel(id);
    this.#timers.set(
      id,
      setTimeout(() => {
        this.#timers.delete(id);
        restart();
      }, delayMs),
    );
  }

  /** Cancels a pending restart; true when there was one. */
  cancel(id: number): boolean {
    const timer = this.#timers.get(id);
    if (timer === undefined) return false;
    clearTimeout(timer);
    this.#timers.delete(id);
    return true;
  }

  /** Forgets the history of `id` (the user started or stopped it by hand). */
  reset(id: number): void {
    this.#trackers.delete(id);
  }

  cancelAll(): void {
    for (const id of [...this.#timers.keys()]) this.cancel(id);
  }
}
