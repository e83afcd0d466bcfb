import type { DatabaseSync } from "node:sqlite";
import type { AuditRepository, InstanceConfig, InstanceRecord } from "../db/mod.ts";
import { transaction } from "../db/mod.ts";
import { conflict, HttpError, invalidField, notFound } from "../shared/http_error.ts";
import type { Logger } from "../log/mod.ts";
import type { PortProbe, PortRange } from "../ports/mod.ts";
import { parseGpuIds } from "../shared/identifiers.ts";
import { customHostnameProblem } from "../shared/custom_hostname.ts";
import type {
  CreateInstanceInput,
  DeleteInstanceInput,
  NewNameInput,
  UpdateInstanceInput,
} from "../shared/instance_schema.ts";
import type { Actor } from "./actor.ts";
import type { BlueprintFacts, BlueprintSource } from "./blueprint_source.ts";
import { cloneInstanceFiles } from "./clone_files.ts";
import { exists, writeFileAtomic } from "../fs/mod.ts";
import type { InstancePaths } from "./instance_paths.ts";
import { type InstanceStore, ORDER_EVENT } from "./instance_store.ts";
import { ACTIVE_STATUSES } from "./state_machine.ts";
import { requireValid } from "./valid_record.ts";
import { InstanceRemoval } from "./instance_removal.ts";
import { LaunchScripts } from "./launch_scripts.ts";
import { configOf, RowReservation } from "./row_reservation.ts";
import type { TrashEntry, TrashStore } from "./trash_store.ts";

/** Start/stop as the configuration service needs them (implemented by the lifecycle). */
export interface RuntimeControl {
  stop(id: number, actor: Actor): Promise<InstanceRecord>;
  start(id: number, actor: Actor): Promise<InstanceRecord>;
}

export interface InstanceServiceDeps {
  db: DatabaseSync;
  store: InstanceStore;
  paths: InstancePaths;
  trash: TrashStore;
  blueprints: BlueprintSource;
  portRange: PortRange;
  portInUse: PortProbe;
  gpuCount: () => number | null;
  audit: AuditRepository;
  logger: Logger;
  runtime: RuntimeControl;
  /** The dashboard's own host names: refused as custom host names (absent: none). */
  dashboardNames?: readonly string[];
}

/** Fields whose change needs the instance stopped (or a confirmed restart). */
const RESTART_FIELDS = [
  "name",
  "slug",
  "base_blueprint",
  "gpu_ids",
  "output_path",
  "persistent_mode",
  "port",
  "python_version",
  "cuda_version",
  "torch_version",
] as const;

/** Fields a satellite takes from its parent and cannot change. */
const INHERITED_FIELDS = [
  "base_blueprint",
  "output_path",
  "python_version",
  "cuda_version",
  "torch_version",
] as const;

/**
 * The orchestrator of instance configuration: create, update, copy, instantiate, delete,
 * trash, launch script and display order. Validation happens before anything is written;
 * a failure leaves no row and no directory behind.
 */
export class InstanceService {
  readonly #d: InstanceServiceDeps;
  readonly #copies = new Set<Promise<void>>();
  readonly #rows: RowReservation;
  readonly #removal: InstanceRemoval;
  readonly #scripts: LaunchScripts;

  constructor(deps: InstanceServiceDeps) {
    this.#d = deps;
    this.#rows = new RowReservation(deps.db, deps.store.repo, deps.portRange, deps.portInUse);
    this.#removal = new InstanceRemoval({
      store: deps.store,
      paths: deps.paths,
      trash: deps.trash,
      rows: this.#rows,
      audit: deps.audit,
    });
    this.#scripts = new LaunchScripts(deps.paths, deps.blueprints);
  }

  list(): readonly InstanceRecord[] {
    return this.#d.store.repo.list();
  }

  /** The instance, or 404. */
  get(id: number): InstanceRecord {
    const record = this.#d.store.get(id);
    if (!record) throw notFound("Instance");
    return record;
  }

  /** The instance, refusing rows that break a validation rule (T11). */
  getValid(id: number): InstanceRecord {
    return requireValid(this.#d.store.get(id), id);
  }

  async create(input: CreateInstanceInput, actor: Actor): Promise<InstanceRecord> {
    const slug = this.#rows.resolveSlug(
      input.slug,
      input.name,
      input.slug === undefined ? "name" : "slug",
    );
    const blueprint = await this.#requireBlueprint(input.base_blueprint);
    const config: InstanceConfig = {
      parentId: null,
      name: input.name,
      slug,
      blueprint: input.base_blueprint,
      gpuIds: this.#gpuIds(input.gpu_ids),
      autostart: input.autostart ?? false,
      persistentMode: input.persistent_mode ?? blueprint.metadata?.persistentMode ?? false,
      hostname: input.hostname ?? null,
      useCustomHostname: input.use_custom_hostname ?? false,
      outputPath: input.output_path ?? slug,
      port: null,
      restartPolicy: input.restart_policy ?? "no",
      pythonVersion: input.python_version ?? null,
      cudaVersion: input.cuda_version ?? null,
      torchVersion: input.torch_version ?? null,
    };
    if (config.useCustomHostname && !config.hostname) {
      throw invalidField("hostname", "is required when use_custom_hostname is on");
    }
    if (config.hostname) this.#checkHostname(config.hostname, null);
    const script = await this.#d.blueprints.read(input.base_blueprint);
    const dir = this.#d.paths.instanceDir(slug);
    if (await exists(dir)) {
      throw conflict(`A folder for "${slug}" already exists in the instances folder`);
    }
    const record = this.#rows.insert(config, input.port ?? null);
    try {
      await Deno.mkdir(dir, { recursive: true });
      await writeFileAtomic(this.#d.paths.launchScript(slug), script, 0o755);
    } catch (error) {
      this.#d.store.repo.delete(record.id);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw error;
    }
    this.#audit(actor, "instance.create", slug, { blueprint: config.blueprint });
    return this.#d.store.published(record);
  }

  async update(id: number, input: UpdateInstanceInput, actor: Actor): Promise<InstanceRecord> {
    const current = this.getValid(id);
    const satellite = current.parentId !== null;
    if (satellite) {
      for (const field of INHERITED_FIELDS) {
        if (input[field] !== undefined) {
          throw invalidField(field, "a satellite inherits this from its parent");
        }
      }
    }
    const patch: Partial<InstanceConfig> = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.slug !== undefined && input.slug !== current.slug) {
      patch.slug = this.#rows.resolveSlug(input.slug, input.slug, "slug");
    }
    let newScript: string | null = null;
    if (input.base_blueprint !== undefined && input.base_blueprint !== current.blueprint) {
      await this.#requireBlueprint(input.base_blueprint);
      patch.blueprint = input.base_blueprint;
      const hasScript = await exists(this.#d.paths.launchScript(current.slug));
      if (hasScript && input.replace_script !== true) {
        throw new HttpError(
          409,
          "Changing the blueprint replaces launch.sh and loses its edits; send replace_script: true to confirm",
          { confirm: "replace_script" },
          "confirmation_required",
        );
      }
      newScript = await this.#d.blueprints.read(input.base_blueprint);
    }
    if (input.gpu_ids !== undefined) patch.gpuIds = this.#gpuIds(input.gpu_ids);
    if (input.output_path !== undefined) patch.outputPath = input.output_path ?? current.slug;
    if (input.autostart !== undefined) patch.autostart = input.autostart;
    if (input.persistent_mode !== undefined) patch.persistentMode = input.persistent_mode;
    if (input.hostname !== undefined) patch.hostname = input.hostname;
    if (input.use_custom_hostname !== undefined) {
      patch.useCustomHostname = input.use_custom_hostname;
    }
    if (input.restart_policy !== undefined) patch.restartPolicy = input.restart_policy;
    if (input.python_version !== undefined) patch.pythonVersion = input.python_version;
    if (input.cuda_version !== undefined) patch.cudaVersion = input.cuda_version;
    if (input.torch_version !== undefined) patch.torchVersion = input.torch_version;
    let newPort: number | null | undefined;
    if (input.port !== undefined && input.port !== current.port) newPort = input.port;
    const hostname = patch.hostname !== undefined ? patch.hostname : current.hostname;
    if ((patch.useCustomHostname ?? current.useCustomHostname) && !hostname) {
      throw invalidField("hostname", "is required when use_custom_hostname is on");
    }
    if (patch.hostname) this.#checkHostname(patch.hostname, id);

    const changed = RESTART_FIELDS.filter((field) => {
      if (field === "port") return newPort !== undefined;
      if (field === "slug") return patch.slug !== undefined;
      return input[field] !== undefined && this.#differs(current, field, patch);
    });
    const running = ACTIVE_STATUSES.has(current.status);
    if (running && changed.length > 0 && input.restart !== true) {
      throw new HttpError(
        409,
        `"${current.name}" is running; changing ${
          changed.join(", ")
        } needs a restart (send restart: true)`,
        { restart_required: changed },
        "restart_required",
      );
    }
    if (running && changed.length > 0) await this.#d.runtime.stop(id, actor);

    const updated = await this.#applyUpdate(current, patch, newPort, newScript);
    this.#audit(actor, "instance.update", updated.slug, { fields: Object.keys(input) });
    this.#d.store.published(updated);
    if (running && changed.length > 0) return await this.#d.runtime.start(id, actor);
    return updated;
  }

  async #applyUpdate(
    current: InstanceRecord,
    patch: Partial<InstanceConfig>,
    newPort: number | null | undefined,
    newScript: string | null,
  ): Promise<InstanceRecord> {
    const oldDir = this.#d.paths.instanceDir(current.slug);
    const newDir = patch.slug ? this.#d.paths.instanceDir(patch.slug) : oldDir;
    const moved = patch.slug !== undefined && (await exists(oldDir));
    if (moved) {
      if (await exists(newDir)) throw conflict(`A folder for "${patch.slug}" already exists`);
      await Deno.rename(oldDir, newDir);
    }
    try {
      const updated = this.#rows.update(patch.slug ?? current.slug, () => {
        if (newPort !== undefined) patch.port = this.#rows.choosePort(newPort, current.id);
        return this.#d.store.repo.updateConfig(current.id, patch);
      });
      if (!updated) throw notFound("Instance");
      if (newScript !== null) {
        await Deno.mkdir(newDir, { recursive: true });
        await writeFileAtomic(`${newDir}/launch.sh`, newScript, 0o755);
      }
      if (moved && (await exists(`${newDir}/env`))) {
        // Environments are not relocatable: the blueprint rebuilds it at the next start.
        await Deno.writeTextFile(this.#d.paths.rebuildMarker(updated.slug), "renamed\n");
      }
      return updated;
    } catch (error) {
      if (moved) await Deno.rename(newDir, oldDir).catch(() => {});
      throw error;
    }
  }

  /** 422 on `hostname` when it is loopback, an IP, the dashboard's or another instance's. */
  #checkHostname(hostname: string, selfId: number | null): void {
    const problem = customHostnameProblem(hostname, {
      dashboardNames: this.#d.dashboardNames ?? [],
      others: this.#d.store.repo.list().filter((record) => record.id !== selfId),
    });
    if (problem) throw invalidField("hostname", problem);
  }

  #differs(current: InstanceRecord, field: string, patch: Partial<InstanceConfig>): boolean {
    const map: Record<string, keyof InstanceConfig> = {
      name: "name",
      base_blueprint: "blueprint",
      gpu_ids: "gpuIds",
      output_path: "outputPath",
      persistent_mode: "persistentMode",
      python_version: "pythonVersion",
      cuda_version: "cudaVersion",
      torch_version: "torchVersion",
    };
    const key = map[field];
    return key !== undefined && key in patch && patch[key] !== current[key];
  }

  /** Creates a satellite of `id`: same app, own GPUs/port/logs; its folder appears at first start. */
  instantiate(id: number, input: NewNameInput, actor: Actor): InstanceRecord {
    const parent = this.getValid(id);
    if (parent.parentId !== null) {
      throw conflict(`"${parent.name}" is a satellite; a satellite cannot have satellites`);
    }
    const slug = this.#rows.resolveSlug(
      input.new_slug,
      input.new_name,
      input.new_slug === undefined ? "new_name" : "new_slug",
    );
    const record = this.#rows.insert({
      parentId: parent.id,
      name: input.new_name,
      slug,
      blueprint: parent.blueprint,
      gpuIds: parent.gpuIds,
      autostart: false,
      persistentMode: parent.persistentMode,
      hostname: null,
      useCustomHostname: false,
      outputPath: parent.outputPath,
      port: null,
      restartPolicy: "no",
      pythonVersion: parent.pythonVersion,
      cudaVersion: parent.cudaVersion,
      torchVersion: parent.torchVersion,
    }, null);
    this.#audit(actor, "instance.instantiate", slug, { parent: parent.slug });
    return this.#d.store.published(record);
  }

  /** Clones `id`: an `installing` row now, the files copied in the background. */
  async copy(id: number, input: NewNameInput, actor: Actor): Promise<InstanceRecord> {
    const source = this.getValid(id);
    if (source.parentId !== null) {
      throw conflict(`"${source.name}" is a satellite; clone its parent instead`);
    }
    const slug = this.#rows.resolveSlug(
      input.new_slug,
      input.new_name,
      input.new_slug === undefined ? "new_name" : "new_slug",
    );
    if (await exists(this.#d.paths.instanceDir(slug))) {
      throw conflict(`A folder for "${slug}" already exists in the instances folder`);
    }
    const blueprint = await this.#d.blueprints.find(source.blueprint);
    const record = this.#rows.insert(
      {
        ...configOf(source),
        name: input.new_name,
        slug,
        autostart: false,
        hostname: null,
        useCustomHostname: false,
      },
      null,
      "installing",
    );
    this.#audit(actor, "instance.copy", slug, { source: source.slug });
    this.#d.store.published(record);
    const job = this.#runCopy(source, record, blueprint);
    this.#copies.add(job);
    job.finally(() => this.#copies.delete(job));
    return record;
  }

  async #runCopy(
    source: InstanceRecord,
    target: InstanceRecord,
    blueprint: BlueprintFacts | null,
  ): Promise<void> {
    const targetDir = this.#d.paths.instanceDir(target.slug);
    try {
      const note = await cloneInstanceFiles({
        sourceDir: this.#d.paths.instanceDir(source.slug),
        targetDir,
        venvPath: blueprint?.metadata?.venvPath ?? "./env",
        venvType: blueprint?.metadata?.venvType ?? "none",
        logger: this.#d.logger,
      });
      this.#d.store.transition(target.id, "stopped", { statusMessage: note });
    } catch (error) {
      await Deno.remove(targetDir, { recursive: true }).catch(() => {});
      const message = error instanceof Error ? error.message : String(error);
      this.#d.logger.warn("clone failed", { slug: target.slug, error: message });
      if (this.#d.store.get(target.id)) {
        this.#d.store.transition(target.id, "error", { statusMessage: `Clone failed: ${message}` });
      }
    }
  }

  /** Resolves when every background copy has finished (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.#copies.size) await Promise.allSettled([...this.#copies]);
  }

  /** The script an instance runs: its own launch.sh, the parent's for a satellite, else the blueprint. */
  readScript(
    id: number,
  ): Promise<{ content: string; source: "instance" | "parent" | "blueprint" }> {
    const record = this.getValid(id);
    return this.#scripts.read(
      record,
      record.parentId === null ? null : this.getValid(record.parentId),
    );
  }

  /** Replaces launch.sh (not for satellites); restarts when asked and running. */
  async writeScript(
    id: number,
    content: string,
    restart: boolean,
    actor: Actor,
  ): Promise<InstanceRecord> {
    const record = this.getValid(id);
    await this.#scripts.write(record, content);
    this.#audit(actor, "instance.script_edit", record.slug, { bytes: content.length });
    if (restart && ACTIVE_STATUSES.has(record.status)) {
      await this.#d.runtime.stop(id, actor);
      return await this.#d.runtime.start(id, actor);
    }
    return this.get(id);
  }

  /** Deletes a stopped instance to the trash or permanently; outputs are never touched. */
  async remove(
    id: number,
    input: DeleteInstanceInput,
    actor: Actor,
  ): Promise<{ trashId: string | null }> {
    return { trashId: await this.#removal.remove(this.getValid(id), input, actor) };
  }

  listTrash(): Promise<TrashEntry[]> {
    return this.#removal.list();
  }

  restore(trashId: string, actor: Actor): Promise<InstanceRecord> {
    return this.#removal.restore(trashId, actor);
  }

  purge(trashId: string, actor: Actor): Promise<void> {
    return this.#removal.purge(trashId, actor);
  }

  /** Public pool ports not held by an instance nor used by another process. */
  availablePorts(): number[] {
    return this.#rows.availablePorts();
  }

  displayOrder(): number[] {
    return this.#d.store.repo.displayOrder();
  }

  setDisplayOrder(order: number[], actor: Actor): number[] {
    const known = new Set(this.list().map((r) => r.id));
    const unknown = order.filter((id) => !known.has(id));
    if (unknown.length) {
      throw invalidField("order", `unknown instance id(s): ${unknown.join(", ")}`);
    }
    if (new Set(order).size !== order.length) throw invalidField("order", "lists an id twice");
    transaction(this.#d.db, () => this.#d.store.repo.setDisplayOrder(order));
    this.#d.store.bus.publish(ORDER_EVENT, { order });
    this.#audit(actor, "instance.order", null, null);
    return order;
  }

  async #requireBlueprint(file: string): Promise<BlueprintFacts> {
    const blueprint = await this.#d.blueprints.find(file);
    if (!blueprint) throw invalidField("base_blueprint", `no blueprint named "${file}"`);
    if (blueprint.error) throw invalidField("base_blueprint", blueprint.error);
    return blueprint;
  }

  #gpuIds(text: string | null | undefined): string {
    if (text === "") {
      throw invalidField("gpu_ids", 'must not be empty (use null or "all" for every GPU)');
    }
    const parsed = parseGpuIds(text ?? "", this.#d.gpuCount());
    if (!parsed.ok) throw invalidField("gpu_ids", parsed.reason);
    return parsed.value;
  }

  #audit(
    actor: Actor,
    action: string,
    target: string | null,
    detail: Record<string, unknown> | null,
  ) {
    this.#d.audit.record({ actor: actor.actor, client: actor.client, action, target, detail });
  }
}
