import type { InstanceRecord, InstanceRepository, InstanceRuntime } from "../db/mod.ts";
import type { InstanceStatus } from "../shared/instance_schema.ts";
import type { EventBus } from "./event_bus.ts";
import { assertTransition } from "./state_machine.ts";

/** Event types published on the bus by the instance domain. */
export const INSTANCE_EVENT = "instance";
export const INSTANCE_REMOVED_EVENT = "instance-removed";
export const ORDER_EVENT = "order";

/**
 * The one place instance rows change status: every transition is checked by the state
 * machine, written, and published as an event.
 */
export class InstanceStore {
  constructor(readonly repo: InstanceRepository, readonly bus: EventBus) {}

  get(id: number): InstanceRecord | null {
    return this.repo.get(id);
  }

  /** Moves instance `id` to `status`, with runtime fields; throws on a forbidden transition. */
  transition(
    id: number,
    status: InstanceStatus,
    patch: Partial<Omit<InstanceRuntime, "status">> = {},
  ): InstanceRecord {
    const current = this.repo.get(id);
    if (!current) throw new Error(`instance ${id} vanished`);
    assertTransition(current.status, status);
    const updated = this.repo.updateRuntime(id, { ...patch, status });
    if (!updated) throw new Error(`instance ${id} vanished`);
    this.bus.publish(INSTANCE_EVENT, updated);
    return updated;
  }

  /** Writes runtime fields that do not change the status (pid, ports …) and publishes. */
  updateRuntime(
    id: number,
    patch: Partial<Omit<InstanceRuntime, "status">>,
  ): InstanceRecord | null {
    const updated = this.repo.updateRuntime(id, patch);
    if (updated) this.bus.publish(INSTANCE_EVENT, updated);
    return updated;
  }

  /** Publishes the current row after a configuration change. */
  published(record: InstanceRecord): InstanceRecord {
    this.bus.publish(INSTANCE_EVENT, record);
    return record;
  }

  removed(id: number): void {
    this.bus.publish(INSTANCE_REMOVED_EVENT, { id });
  }
}
