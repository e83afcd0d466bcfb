import type { InstanceRecord } from "../../db/mod.ts";
import { DomainError } from "../../shared/domain_error.ts";
import { gpuSelectionsOverlap } from "../../shared/gpu_sharing.ts";
import { ACTIVE_STATUSES } from "../../shared/instance_status.ts";
import type { Actor } from "../actor.ts";
import type { RuntimeKind } from "../state_machine.ts";
import { InstanceOwner, type OwnerSection } from "./instance_owner.ts";
import type { OwnerContext } from "./owner_context.ts";
import type { LiveProcess } from "./process_port.ts";

/**
 * The runtime of every instance: one serialized owner per instance id, created on first use.
 * Rows that existed when AiKore started get an owner that first cleans up what a previous
 * life left, so a user's operation and boot reconciliation never race.
 */
export class InstanceRuntime<P extends LiveProcess> {
  readonly #owners = new Map<number, InstanceOwner<P>>();
  readonly #atBoot: Set<number>;

  constructor(protected readonly context: OwnerContext<P>) {
    this.#atBoot = new Set(context.store.list().map((record) => record.id));
  }

  /** The marker every process of instance `id` carries in `AIKORE_INSTANCE_ID`. */
  marker(id: number): string {
    return this.context.marker(id);
  }

  #owner(id: number): InstanceOwner<P> {
    let owner = this.#owners.get(id);
    if (!owner) {
      owner = new InstanceOwner(id, this.context, !this.#atBoot.has(id));
      this.#atBoot.delete(id);
      this.#owners.set(id, owner);
    }
    return owner;
  }

  /** The live process of an instance, if AiKore runs it. */
  running(id: number): P | null {
    return this.#owners.get(id)?.process ?? null;
  }

  /** The owner's runtime state (tests and diagnostics). */
  stateOf(id: number): RuntimeKind {
    return this.#owners.get(id)?.kind ?? (this.#atBoot.has(id) ? "unreconciled" : "idle");
  }

  /** Instances with a live process: id → leader pid. */
  runningPids(): Array<{ instanceId: number; pid: number }> {
    const list: Array<{ instanceId: number; pid: number }> = [];
    for (const [instanceId, owner] of this.#owners) {
      const process = owner.process;
      if (process) list.push({ instanceId, pid: process.pid });
    }
    return list;
  }

  start(id: number, actor: Actor): Promise<InstanceRecord> {
    return this.#existing(id).start(actor);
  }

  /** Stops an instance: whole process tree, grace, kill, marker sweep; returns when nothing is left. */
  stop(id: number, actor: Actor): Promise<InstanceRecord> {
    return this.#existing(id).stop(actor);
  }

  /** Stop (if running) then start, as one operation. */
  restart(id: number, actor: Actor): Promise<InstanceRecord> {
    return this.#existing(id).restart(actor);
  }

  /** Runs `work` holding instance `id`'s owner (rename, delete, update with restart, rebuild). */
  exclusive<T>(id: number, work: (section: OwnerSection) => Promise<T>): Promise<T> {
    return this.#existing(id).exclusive(work);
  }

  /** Marks instance `id`'s folder as read by a clone until the returned release is called. */
  hold(id: number): Promise<() => void> {
    return this.#existing(id).hold();
  }

  #existing(id: number): InstanceOwner<P> {
    if (!this.#owners.has(id) && !this.context.store.get(id)) {
      throw new DomainError("not_found", "Instance not found");
    }
    return this.#owner(id);
  }

  /**
   * Boot reconciliation: every instance that existed at boot is cleaned up through its owner
   * (in parallel), then those with autostart, or on-failure ones that were running, start.
   */
  async reconcile(): Promise<{ cleaned: number; started: number }> {
    const store = this.context.store;
    const wasRunning = new Set(
      store.list().filter((r) => ACTIVE_STATUSES.has(r.status)).map((r) => r.id),
    );
    const owners = store.list().map((record) => this.#owner(record.id));
    const results = await Promise.all(owners.map((owner) => owner.reconcile()));
    // Runs that kept going through AiKore's restart (a training): an autostart of an instance
    // that was not running never lands on their GPUs. One that ran before (an on-failure
    // restart) only takes back its place beside them.
    const survivors = owners.filter((owner) => owner.kind === "running")
      .flatMap((owner) => store.get(owner.id) ?? []);
    let started = 0;
    for (const owner of owners) {
      const record = store.get(owner.id);
      const blocking = record && owner.wantsBootStart && !wasRunning.has(record.id)
        ? survivors.filter((s) => gpuSelectionsOverlap(record.gpuIds, s.gpuIds))
        : [];
      if (blocking.length > 0) {
        const names = blocking.map((s) => JSON.stringify(s.name)).join(", ");
        await owner.holdBootStart(
          `Not started with AiKore: its GPUs are used by ${names}, which kept running ` +
            "through AiKore's restart. Start it if you mean to share them.",
        );
      } else if (await owner.bootStart()) started++;
    }
    return { cleaned: results.reduce((sum, result) => sum + result.cleaned, 0), started };
  }

  /** Stops every running instance (AiKore shutdown); pending restarts stay saved. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.#owners.values()].map((owner) => owner.shutdown()));
  }

  /**
   * AiKore stops and leaves the instances running (they outlive it under their holders):
   * detaches from each; runs that cannot outlive AiKore are stopped.
   */
  async detachAll(): Promise<void> {
    await Promise.allSettled([...this.#owners.values()].map((owner) => owner.detach()));
  }

  /** Resolves once no owner has work queued (tests). */
  async settled(): Promise<void> {
    while ([...this.#owners.values()].some((owner) => owner.pending > 0)) {
      await Promise.all([...this.#owners.values()].map((owner) => owner.drained()));
    }
  }
}
