import type { InstanceRecord } from "../db/mod.ts";
import { background } from "../guard/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { EnvironmentSnapshot } from "../shared/environment_snapshot.ts";
import type { InstanceStatus } from "../shared/instance_schema.ts";
import type { EventBus } from "./event_bus.ts";
import { INSTANCE_EVENT, INSTANCE_REMOVED_EVENT } from "./instance_store.ts";
import type { RunHistory } from "./run_history.ts";

/** Statuses of a run that was never healthy. */
const NOT_YET_HEALTHY = new Set<InstanceStatus>(["starting", "stalled"]);

export interface EnvironmentRecorderDeps {
  runs: RunHistory;
  /** What the instance's environment holds now. */
  take: (record: InstanceRecord) => Promise<EnvironmentSnapshot>;
  /** Told once a run's environment is recorded (the instance's view may change with it). */
  onRecorded?: (instanceId: number) => void;
  logger: Logger;
}

/**
 * Records each run's environment into the run history, from the instance events on the bus: once
 * the app turns healthy (a known-good environment) and when a run ends before it ever was (the
 * environment that broke it). In the background and one at a time (twenty instances turning
 * healthy after a boot read their environments one after another, not twenty Pythons at once);
 * a failure is logged and costs only that record.
 */
export class EnvironmentRecorder {
  readonly #last = new Map<number, InstanceStatus>();
  readonly #busy = new Map<number, Promise<void>>();
  /** The records being taken, one after another. */
  #queue: Promise<unknown> = Promise.resolve();
  #unsubscribe: () => void = () => {};

  constructor(private readonly deps: EnvironmentRecorderDeps) {}

  start(bus: EventBus): void {
    this.#unsubscribe = bus.subscribe((event) => {
      if (event.type === INSTANCE_REMOVED_EVENT) {
        this.#last.delete((event.data as { id: number }).id);
      } else if (event.type === INSTANCE_EVENT) {
        this.#observe(event.data as InstanceRecord);
      }
    });
  }

  /** Stops following the bus; resolves once the records being taken are done. */
  async stop(): Promise<void> {
    this.#unsubscribe();
    await this.settled();
  }

  /**
   * Resolves once the record being taken of the instance's run is made (at once when none is),
   * or after `withinMs`, whichever comes first: a failure notice waits on it to say what changed.
   */
  async recorded(instanceId: number, withinMs: number): Promise<void> {
    const work = this.#busy.get(instanceId);
    if (work === undefined) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)));
    try {
      await Promise.race([work, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once no record is being taken. */
  async settled(): Promise<void> {
    while (this.#busy.size > 0) await Promise.all(this.#busy.values());
  }

  #observe(record: InstanceRecord): void {
    const before = this.#last.get(record.id);
    this.#last.set(record.id, record.status);
    if (before === undefined || before === record.status || !NOT_YET_HEALTHY.has(before)) return;
    const healthy = record.status === "started";
    if (!healthy && record.status !== "exited" && record.status !== "error") return;
    const runId = this.deps.runs.latestRun(record.id);
    if (runId === null || this.#busy.has(record.id)) return;
    const work = this.#queue.then(() => this.deps.take(record))
      .then((snapshot) => {
        this.deps.runs.recordEnvironment(runId, snapshot, healthy);
        this.deps.onRecorded?.(record.id);
      })
      .finally(() => this.#busy.delete(record.id));
    this.#busy.set(record.id, work.catch(() => {}));
    this.#queue = work.catch(() => {});
    background(work, this.deps.logger, {
      task: "record the environment of a run",
      instance: record.slug,
    });
  }
}
