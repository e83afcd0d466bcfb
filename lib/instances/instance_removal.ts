import type { AuditRepository, InstanceRecord } from "../db/mod.ts";
import { exists, lstatBeneath, PathRefused } from "../fs/mod.ts";
import { slugProblem } from "../shared/identifiers.ts";
import { DomainError, missing, stateConflict } from "../shared/domain_error.ts";
import type { DeleteInstanceInput } from "../shared/instance_schema.ts";
import type { Actor } from "./actor.ts";
import type { InstancePaths } from "./instance_paths.ts";
import type { InstanceStore } from "./instance_store.ts";
import { configOf, type RowReservation } from "./row_reservation.ts";
import { ACTIVE_STATUSES } from "./state_machine.ts";
import { type TrashEntry, TrashStore } from "./trash_store.ts";

export interface InstanceRemovalDeps {
  store: InstanceStore;
  paths: InstancePaths;
  trash: TrashStore;
  rows: RowReservation;
  audit: AuditRepository;
}

/**
 * Delete (to the trash or for good), list, restore and purge. Files move first and the row
 * goes after, so a crash midway leaves a row whose folder is in the trash, never the reverse;
 * outputs are never touched.
 */
export class InstanceRemoval {
  constructor(private readonly d: InstanceRemovalDeps) {}

  async remove(
    record: InstanceRecord,
    input: DeleteInstanceInput,
    actor: Actor,
  ): Promise<string | null> {
    if (ACTIVE_STATUSES.has(record.status) || record.status === "installing") {
      throw stateConflict(`"${record.name}" is ${record.status}; stop it before deleting`);
    }
    const children = this.d.store.repo.childrenOf(record.id);
    if (children.length > 0) {
      throw stateConflict(
        `"${record.name}" is the parent of ${children.length} satellite(s): ${
          children.map((c) => c.name).join(", ")
        }; delete them first`,
        { satellites: children.map((c) => c.id) },
      );
    }
    if (slugProblem(record.slug)) {
      // An invalid stored row (T11) can always be deleted; a bad slug names no folder to touch.
      this.d.store.repo.delete(record.id);
      this.d.store.removed(record.id);
      this.#audit(actor, "instance.delete", String(record.id), { mode: "row-only" });
      return null;
    }
    const dir = this.d.paths.instanceDir(record.slug);
    const info = await lstatBeneath(this.d.paths.instancesRoot, dir);
    const hasDir = info !== null;
    if (info && !info.isDirectory && input.mode === "trash") {
      throw new PathRefused(
        record.slug,
        "the instance folder is a symbolic link; delete it permanently",
      );
    }
    let trashId: string | null = null;
    if (input.mode === "trash") {
      const previous = await this.d.trash.entriesFor(record.slug);
      if (previous.length > 0 && !input.overwrite) {
        throw new DomainError(
          "conflict",
          `The trash already holds "${record.slug}" (deleted ${
            previous[0]?.deletedAt
          }); overwrite it?`,
          { confirm: "overwrite", trash: previous.map((p) => p.id) },
          "trash_conflict",
        );
      }
      for (const entry of previous) await this.d.trash.purge(entry.id);
      const manifest = {
        instanceId: record.id,
        deletedAt: new Date().toISOString(),
        config: configOf(record),
      };
      trashId = hasDir
        ? await this.d.trash.moveIn(this.d.paths.instancesRoot, dir, manifest)
        : await this.d.trash.storeManifestOnly(manifest);
    } else if (hasDir) {
      await this.d.trash.purgeDir(dir, record.slug);
    }
    this.d.store.repo.delete(record.id);
    this.d.store.removed(record.id);
    this.#audit(actor, "instance.delete", record.slug, { mode: input.mode });
    return trashId;
  }

  list(): Promise<TrashEntry[]> {
    return this.d.trash.list();
  }

  /** Brings a trash entry back as an instance (its old port when still free). */
  async restore(trashId: string, actor: Actor): Promise<InstanceRecord> {
    const manifest = TrashStore.entryProblem(trashId)
      ? null
      : await this.d.trash.validManifest(trashId);
    if (!manifest) throw missing("Trash entry");
    const config = manifest.config;
    if (config.parentId !== null && !this.d.store.get(config.parentId)) {
      throw stateConflict(`The parent of satellite "${config.name}" no longer exists`);
    }
    this.d.rows.resolveSlug(config.slug, config.slug, "slug");
    const target = this.d.paths.instanceDir(config.slug);
    if (await exists(target)) throw stateConflict(`A folder for "${config.slug}" already exists`);
    const record = this.d.rows.insert(
      { ...config, port: null },
      this.d.rows.reusablePort(config.port),
    );
    try {
      await this.d.trash.moveOut(trashId, this.d.paths.instancesRoot, target);
    } catch (error) {
      this.d.store.repo.delete(record.id);
      throw error;
    }
    this.#audit(actor, "instance.restore", config.slug, { trash: trashId });
    return this.d.store.published(record);
  }

  async purge(trashId: string, actor: Actor): Promise<void> {
    // Any entry can be purged, even one whose manifest is broken or tampered with.
    if (!(await this.d.trash.has(trashId))) throw missing("Trash entry");
    await this.d.trash.purge(trashId);
    this.#audit(actor, "trash.purge", trashId, null);
  }

  #audit(actor: Actor, action: string, target: string, detail: Record<string, unknown> | null) {
    this.d.audit.record({ actor: actor.actor, client: actor.client, action, target, detail });
  }
}
