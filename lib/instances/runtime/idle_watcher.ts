import type { InstanceRecord } from "../../db/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { appWork } from "../../shared/app_work.ts";
import type { SystemStats } from "../../shared/stats.ts";
import type { Clock } from "./clock.ts";

/** How the watcher measures time: the length of a policy minute and how often it looks. */
export interface IdleTiming {
  /** Milliseconds in one minute of `idle_stop_minutes` (60 000; tests shorten it). */
  minuteMs: number;
  /** How often the watcher looks at the running instances. */
  checkEveryMs: number;
}

/** Production timing: real minutes, a look every 10 s. */
export const IDLE_TIMING: IdleTiming = { minuteMs: 60_000, checkEveryMs: 10_000 };

/** What the watcher reads and does. */
export interface IdleWatcherDeps {
  records: () => readonly InstanceRecord[];
  /** When the gateway last passed a request to instance `id`'s app (clock time), or null. */
  lastRequest: (id: number) => number | null;
  /** Established TCP connections per local port, for the given app ports. */
  connections: (ports: ReadonlySet<number>) => Map<number, number>;
  /** The latest resource figures (per instance and per GPU), or null when there are none. */
  activity?: () => Promise<SystemStats | null>;
  /** Stops `id` through its owner unless `stillIdle` (asked in the owner's turn) says no. */
  stop: (id: number, stillIdle: (record: InstanceRecord) => boolean) => Promise<boolean>;
  clock: Clock;
  timing: IdleTiming;
  logger: Logger;
}

/** The last sign of use of one run of one instance. */
interface Watched {
  run: string;
  since: number;
}

/**
 * Stops instances whose idle policy ran out: no request through the gateway, no open
 * connection to the app's port, and no work (CPU or GPU, see `appWork` in lib/shared/app_work.ts) for
 * `idle_stop_minutes`. Idleness counts from the start of a run, the last request, or the last
 * moment a connection was open or the app worked, whichever is latest. It looks every
 * `checkEveryMs`; a failed look or stop is logged and the next look comes anyway.
 */
export class IdleWatcher {
  readonly #watched = new Map<number, Watched>();
  #cancel: (() => void) | null = null;
  #running: Promise<unknown> | null = null;
  #closed = false;

  constructor(private readonly d: IdleWatcherDeps) {}

  /** Starts looking (once). */
  start(): void {
    if (this.#cancel || this.#closed) return;
    this.#schedule();
  }

  /** Stops looking; resolves once a look in progress (and its stops) ended. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#cancel?.();
    this.#cancel = null;
    await this.#running;
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#cancel = this.d.clock.setTimer(() => {
      this.#running = this.check()
        .catch((error) => this.d.logger.error("idle check failed", { error }))
        .finally(() => {
          this.#running = null;
          this.#schedule();
        });
    }, this.d.timing.checkEveryMs);
  }

  /** One look at every running instance with a policy; returns the ids it stopped. */
  async check(): Promise<number[]> {
    const now = this.d.clock.now();
    const candidates = this.d.records().filter(watchable);
    const ports = new Set(candidates.map((record) => record.appPort as number));
    const open = this.d.connections(ports);
    const stats = candidates.length === 0 ? null : await this.#activity();
    const due: Array<{ record: InstanceRecord; since: number }> = [];
    const seen = new Set<number>();
    for (const record of candidates) {
      seen.add(record.id);
      const inUse = (open.get(record.appPort as number) ?? 0) > 0 ||
        appWork(record, stats) !== null;
      const since = this.#lastUse(record, now, inUse);
      const limit = (record.idleStopMinutes ?? 0) * this.d.timing.minuteMs;
      if (now - since >= limit) due.push({ record, since });
    }
    for (const id of this.#watched.keys()) if (!seen.has(id)) this.#watched.delete(id);
    const stopped: number[] = [];
    for (const { record, since } of due) {
      if (this.#closed) break;
      const done = await this.d.stop(record.id, (current) => this.#stillIdle(current, since))
        .catch((error) => {
          this.d.logger.error("idle stop failed", { id: record.id, slug: record.slug, error });
          return false;
        });
      if (done) {
        this.d.logger.info("stopped an idle instance", { id: record.id, slug: record.slug });
        stopped.push(record.id);
      }
    }
    return stopped;
  }

  /** The figures of use; none (logged) when they cannot be had: then only requests count. */
  async #activity(): Promise<SystemStats | null> {
    try {
      return await this.d.activity?.() ?? null;
    } catch (error) {
      this.d.logger.warn("no resource figures for the idle check", { error });
      return null;
    }
  }

  /** The latest sign of use of `record`'s current run, remembered for the next look. */
  #lastUse(record: InstanceRecord, now: number, inUse: boolean): number {
    const run = record.startedAt ?? "";
    const known = this.#watched.get(record.id);
    let since = known && known.run === run ? known.since : now;
    since = Math.max(since, this.d.lastRequest(record.id) ?? 0);
    if (inUse) since = now;
    this.#watched.set(record.id, { run, since });
    return since;
  }

  /** In the owner's turn: the same run, no request since, no connection open now. */
  #stillIdle(current: InstanceRecord, since: number): boolean {
    const port = current.appPort;
    if (port === null || !watchable(current)) return false;
    if ((this.d.lastRequest(current.id) ?? 0) > since) return false;
    return (this.d.connections(new Set([port])).get(port) ?? 0) === 0;
  }
}

/**
 * Serving, with a policy and an app port. Desktop (persistent) instances are left alone: they
 * are used through their own viewer port, which the gateway does not see.
 */
function watchable(record: InstanceRecord): boolean {
  return (record.status === "started" || record.status === "stalled") &&
    (record.idleStopMinutes ?? 0) > 0 && record.appPort !== null &&
    record.invalidReason === null && !record.persistentMode;
}
