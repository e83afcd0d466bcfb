import type { InstanceRecord, InstanceRepository, InstanceRuntime } from "../db/mod.ts";
import { isStorageFull } from "../shared/domain_error.ts";
import type { InstanceStatus } from "../shared/instance_schema.ts";
import type { EventBus } from "./event_bus.ts";
import { assertTransition } from "./state_machine.ts";

/** Event types published on the bus by the instance domain. */
export const INSTANCE_EVENT = "instance";
export const INSTANCE_REMOVED_EVENT = "instance-removed";
export const ORDER_EVENT = "order";

type RuntimePatch = Partial<InstanceRuntime>;

/**
 * The one place instance rows change status: every transition is checked by the state
 * machine, written, and published as an event. A runtime change the database refused because
 * it is full is kept in memory (reads show it) and written at the next chance.
 */
export class InstanceStore {
  readonly #unrecorded = new Map<number, RuntimePatch>();

  constructor(readonly repo: InstanceRepository, readonly bus: EventBus) {}

  /** The row, with any runtime change not yet written. */
  get(id: number): InstanceRecord | null {
    const row = this.repo.get(id);
    if (!row) {
      this.#unrecorded.delete(id);
      return null;
    }
    const pending = this.#unrecorded.get(id);
    return pending ? { ...row, ...pending } : row;
  }

  /** Every row, with runtime changes not yet written. */
  list(): InstanceRecord[] {
    return this.repo.list().map((row) => {
      const pending = this.#unrecorded.get(row.id);
      return pending ? { ...row, ...pending } : row;
    });
  }

  /** Moves instance `id` to `status`, with runtime fields; throws on a forbidden transition. */
  transition(
    id: number,
    status: InstanceStatus,
    patch: Partial<Omit<InstanceRuntime, "status">> = {},
  ): InstanceRecord {
    const current = this.get(id);
    if (!current) throw new Error(`instance ${id} vanished`);
    assertTransition(current.status, status);
    const updated = this.repo.updateRuntime(id, {
      ...this.#unrecorded.get(id),
      ...patch,
      status,
    });
    if (!updated) throw new Error(`instance ${id} vanished`);
    this.#unrecorded.delete(id);
    this.bus.publish(INSTANCE_EVENT, updated);
    return updated;
  }

  /**
   * Like `transition`, but a full disk does not fail it: the change is kept in memory,
   * published, and written later (`flush`). Used where the change already happened to the
   * processes (a stop) and must not be lost. Returns null when the row is gone.
   */
  record(
    id: number,
    status: InstanceStatus,
    patch: Partial<Omit<InstanceRuntime, "status">> = {},
  ): InstanceRecord | null {
    try {
      if (!this.repo.get(id)) return null;
      return this.transition(id, status, patch);
    } catch (error) {
      if (!isStorageFull(error)) throw error;
      const current = this.get(id);
      if (!current) return null;
      assertTransition(current.status, status);
      const pending = { ...this.#unrecorded.get(id), ...patch, status };
      this.#unrecorded.set(id, pending);
      const shown = { ...current, ...pending };
      this.bus.publish(INSTANCE_EVENT, shown);
      return shown;
    }
  }

  /** Tries again to write the changes a full disk refused; true when none is left. */
  flush(): boolean {
    for (const [id, pending] of [...this.#unrecorded]) {
      try {
        // A row deleted meanwhile has nothing left to record either.
        this.repo.updateRuntime(id, pending);
        this.#unrecorded.delete(id);
      } catch (error) {
        if (!isStorageFull(error)) throw error;
      }
    }
    return this.#unrecorded.size === 0;
  }

  /** Writes runtime fields that do not change the status (pid, ports …) and publishes. */
  updateRuntime(
    id: number,
    patch: Partial<Omit<InstanceRuntime, "status">>,
  ): InstanceRecord | null {
    const updated = this.repo.updateRuntime(id, { ...this.#unrecorded.get(id), ...patch });
    this.#unrecorded.delete(id);
    if (updated) this.bus.publish(INSTANCE_EVENT, updated);
    return updated;
  }

  /** Publishes the current row after a configuration change. */
  published(record: InstanceRecord): InstanceRecord {
    this.bus.publish(INSTANCE_EVENT, record);
    return record;
  }

  removed(id: number): void {
    this.#unrecorded.delete(id);
    this.bus.publish(INSTANCE_REMOVED_EVENT, { id });
  }
}
