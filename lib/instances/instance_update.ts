import type { InstanceConfig, InstanceRecord } from "../db/mod.ts";
import { exists, mkdirBeneath, renameBeneath, writeBeneath } from "../fs/mod.ts";
import type { Logger } from "../log/mod.ts";
import { DomainError, invalidInput, missing, stateConflict } from "../shared/domain_error.ts";
import {
  CONFIG_FIELDS,
  INHERITED_FIELDS,
  PLAIN_FIELDS,
  RESTART_FIELDS,
} from "../shared/instance_fields.ts";
import type { UpdateInstanceInput } from "../shared/instance_schema.ts";
import type { Actor } from "./actor.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import type { InstancePaths } from "./instance_paths.ts";
import type { InstanceStore } from "./instance_store.ts";
import type { RowReservation } from "./row_reservation.ts";
import type { OwnerSection } from "./runtime/instance_owner.ts";

export interface InstanceUpdateDeps {
  store: InstanceStore;
  logger: Logger;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  rows: RowReservation;
  requireBlueprint(file: string): Promise<unknown>;
  gpuIds(text: string | null | undefined): string;
  /** Refuses a custom host name that is loopback, an IP, the dashboard's or another's (422). */
  checkHostname(hostname: string, selfId: number): void;
  audit(actor: Actor, action: string, target: string, detail: Record<string, unknown>): void;
}

/** A validated change: the record patch, a new port, the new launch.sh, the restart fields. */
interface Plan {
  patch: Partial<InstanceConfig>;
  newPort: number | null | undefined;
  newScript: string | null;
  changed: string[];
}

/**
 * Changes an instance's configuration while holding its owner: validation first, then (for
 * fields that need it, and only when asked) stop, apply (folder rename, row, script), start.
 */
export class InstanceUpdate {
  constructor(private readonly d: InstanceUpdateDeps) {}

  async apply(
    current: InstanceRecord,
    input: UpdateInstanceInput,
    actor: Actor,
    section: OwnerSection,
  ): Promise<InstanceRecord> {
    const plan = await this.#plan(current, input);
    const running = section.live;
    if (plan.patch.slug !== undefined && section.held > 0) {
      throw stateConflict(`"${current.name}" is being cloned; rename it once the copy is done`);
    }
    const restart = running && plan.changed.length > 0;
    if (restart && input.restart !== true) {
      throw new DomainError(
        "conflict",
        `"${current.name}" is running; changing ${
          plan.changed.join(", ")
        } needs a restart (send restart: true)`,
        { restart_required: plan.changed },
        "restart_required",
      );
    }
    if (restart) await section.stop(actor);
    const updated = await this.#write(current, plan);
    this.d.audit(actor, "instance.update", updated.slug, { fields: Object.keys(input) });
    this.d.store.published(updated);
    return restart ? await section.start(actor) : updated;
  }

  async #plan(current: InstanceRecord, input: UpdateInstanceInput): Promise<Plan> {
    if (current.parentId !== null) {
      for (const field of INHERITED_FIELDS) {
        if (input[field] !== undefined) {
          throw invalidInput(field, "a satellite inherits this from its parent");
        }
      }
    }
    const patch: Record<string, unknown> = {};
    for (const field of PLAIN_FIELDS) {
      if (input[field] !== undefined) patch[CONFIG_FIELDS[field]] = input[field];
    }
    if (input.slug !== undefined && input.slug !== current.slug) {
      patch.slug = this.d.rows.resolveSlug(input.slug, input.slug, "slug");
    }
    let newScript: string | null = null;
    if (input.base_blueprint !== undefined && input.base_blueprint !== current.blueprint) {
      await this.d.requireBlueprint(input.base_blueprint);
      patch.blueprint = input.base_blueprint;
      const hasScript = await exists(this.d.paths.launchScript(current.slug));
      if (hasScript && input.replace_script !== true) {
        throw new DomainError(
          "conflict",
          "Changing the blueprint replaces launch.sh and loses its edits; send replace_script: true to confirm",
          { confirm: "replace_script" },
          "confirmation_required",
        );
      }
      newScript = await this.d.blueprints.read(input.base_blueprint);
    }
    if (input.gpu_ids !== undefined) patch.gpuIds = this.d.gpuIds(input.gpu_ids);
    if (input.output_path !== undefined) patch.outputPath = input.output_path ?? current.slug;
    const config = patch as Partial<InstanceConfig>;
    const newPort = input.port !== undefined && input.port !== current.port
      ? input.port
      : undefined;
    const hostname = config.hostname !== undefined ? config.hostname : current.hostname;
    if ((config.useCustomHostname ?? current.useCustomHostname) && !hostname) {
      throw invalidInput("hostname", "is required when use_custom_hostname is on");
    }
    if (config.hostname) this.d.checkHostname(config.hostname, current.id);
    const changed = RESTART_FIELDS.filter((field) => {
      if (field === "port") return newPort !== undefined;
      const key = CONFIG_FIELDS[field];
      return key in config && config[key] !== current[key];
    });
    return { patch: config, newPort, newScript, changed };
  }

  async #write(current: InstanceRecord, plan: Plan): Promise<InstanceRecord> {
    const { patch, newPort, newScript } = plan;
    const oldDir = this.d.paths.instanceDir(current.slug);
    const newDir = patch.slug ? this.d.paths.instanceDir(patch.slug) : oldDir;
    const moved = patch.slug !== undefined && (await exists(oldDir));
    if (moved) {
      if (await exists(newDir)) throw stateConflict(`A folder for "${patch.slug}" already exists`);
      await renameBeneath(this.d.paths.instancesRoot, oldDir, newDir);
    }
    try {
      const updated = this.d.rows.update(patch.slug ?? current.slug, () => {
        if (newPort !== undefined) patch.port = this.d.rows.choosePort(newPort, current.id);
        return this.d.store.repo.updateConfig(current.id, patch);
      });
      if (!updated) throw missing("Instance");
      if (newScript !== null) {
        const root = this.d.paths.instancesRoot;
        await mkdirBeneath(root, newDir);
        await writeBeneath(root, this.d.paths.launchScript(updated.slug), newScript, 0o755);
      }
      if (moved && (await exists(`${newDir}/env`))) {
        // Environments are not relocatable: the blueprint rebuilds it at the next start.
        const marker = this.d.paths.rebuildMarker(updated.slug);
        await writeBeneath(this.d.paths.instancesRoot, marker, "renamed\n");
      }
      return updated;
    } catch (error) {
      if (moved) {
        await renameBeneath(this.d.paths.instancesRoot, newDir, oldDir).catch((undo) =>
          this.d.logger.error("could not move the folder back after a failed rename", {
            from: newDir,
            to: oldDir,
            error: undo,
          })
        );
      }
      throw error;
    }
  }
}
