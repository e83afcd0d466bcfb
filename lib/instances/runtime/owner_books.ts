import type { InstanceRuntime as RuntimeFields, PendingRestart } from "../../db/mod.ts";
import { isStorageFull } from "../../shared/domain_error.ts";
import type { InstanceStatus } from "../../shared/instance_schema.ts";
import type { Actor } from "../actor.ts";
import type { OwnerContext } from "./owner_context.ts";
import type { LiveProcess } from "./process_port.ts";

type Patch = Partial<Omit<RuntimeFields, "status">>;

/**
 * The bookkeeping of one owner that must never stop an operation already done to the
 * processes: status writes kept in memory on a full disk, audit lines, the saved pending
 * restart. Failures are logged with the instance id.
 */
export class OwnerBooks<P extends LiveProcess> {
  constructor(private readonly c: OwnerContext<P>, private readonly id: number) {}

  /** A status change; on a full disk it is kept in memory and written later. */
  record(status: InstanceStatus, patch: Patch): void {
    try {
      this.c.store.record(this.id, status, patch);
    } catch (error) {
      this.c.logger.error("could not record a status", { id: this.id, status, error });
    }
  }

  /** Runtime details without a status change (a message, a cleared pid). */
  update(patch: Patch): void {
    try {
      this.c.store.updateRuntime(this.id, patch);
    } catch (error) {
      if (!isStorageFull(error)) throw error;
      this.c.logger.warn("could not record runtime details (disk full)", { id: this.id });
    }
  }

  /** The audit line is kept unless the disk is full: the operation itself already happened. */
  audit(actor: Actor, action: string, target: string): void {
    try {
      this.c.audit(actor, action, target);
    } catch (error) {
      if (!isStorageFull(error)) throw error;
      this.c.logger.warn("audit line lost (disk full)", { id: this.id, action });
    }
  }

  pendingRestart(): PendingRestart | null {
    try {
      return this.c.restarts.get(this.id);
    } catch (error) {
      this.c.logger.warn("could not read the pending restart", { id: this.id, error });
      return null;
    }
  }

  savePendingRestart(dueAt: number, failures: number): void {
    try {
      this.c.restarts.set({ instanceId: this.id, dueAt, failures });
    } catch (error) {
      this.c.logger.warn("could not save the pending restart", { id: this.id, error });
    }
  }

  clearPendingRestart(): void {
    try {
      this.c.restarts.clear(this.id);
    } catch (error) {
      this.c.logger.warn("could not clear the pending restart", { id: this.id, error });
    }
  }

  async release(process: P): Promise<void> {
    await this.c.processes.release(process).catch((error) =>
      this.c.logger.warn("could not release the console session", { id: this.id, error })
    );
  }
}
