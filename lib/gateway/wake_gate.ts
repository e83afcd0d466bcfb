import type { Logger } from "../log/mod.ts";
import { isIdleStopped } from "../shared/idle_stop.ts";
import type { RouteEntry } from "./route_table.ts";

/** Who a wake is done for (the audit log's actor). */
export interface WakeActor {
  actor: string;
  client: string | null;
}

/** What the gate needs: the clock, and the start that runs through the instance's owner. */
export interface WakeGateDeps {
  now: () => number;
  /** Starts instance `id` if the idle policy stopped it (decided again inside its owner). */
  wake: (id: number, actor: WakeActor) => Promise<unknown>;
  /**
   * Why waking instance `id` now could harm another run (its GPU is busy), or null. A wake is
   * automatic: it never starts an app where it might run another's GPU out of memory.
   */
  heldBack?: (id: number) => string | null;
  logger: Logger;
}

/**
 * The gateway's side of idle stop: when each instance last had a request passed to its app
 * (nginx may cache a decision for up to a second, so this is per second at best, which is
 * plenty for a policy in minutes), and the wake of an idle-stopped instance by a request,
 * started once however many requests arrive meanwhile.
 */
export class WakeGate {
  readonly #lastRequest = new Map<number, number>();
  readonly #waking = new Map<number, Promise<void>>();

  constructor(private readonly d: WakeGateDeps) {}

  /** A request for instance `id` was passed to its app. Hot path: one map write. */
  seen(id: number): void {
    this.#lastRequest.set(id, this.d.now());
  }

  /** When instance `id` last had a request passed to its app, or null. */
  lastRequest(id: number): number | null {
    return this.#lastRequest.get(id) ?? null;
  }

  /**
   * A signed-in request reached `entry`'s not-serving page: when the idle policy stopped it,
   * it is started (once) and true is returned (the page shows it starting); else false.
   */
  wake(entry: RouteEntry, actor: WakeActor): boolean {
    if (!isIdleStopped(entry) || this.heldBack(entry) !== null) return false;
    if (!this.#waking.has(entry.id)) {
      const id = entry.id;
      const waking = this.d.wake(id, actor)
        .then(() => {})
        .catch((error) =>
          this.d.logger.warn("wake on request failed", {
            id,
            error: error instanceof Error ? error.message : String(error),
          })
        )
        .finally(() => this.#waking.delete(id));
      this.#waking.set(id, waking);
    }
    return true;
  }

  /** Why `entry`, stopped by its idle policy, is not woken by a request now; null if it would be. */
  heldBack(entry: RouteEntry): string | null {
    return isIdleStopped(entry) ? this.d.heldBack?.(entry.id) ?? null : null;
  }

  /** Resolves once no wake is in progress (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.#waking.values()]);
  }
}
