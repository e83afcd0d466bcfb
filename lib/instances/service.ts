import type { DatabaseSync } from "node:sqlite";
import type { AuditRepository, InstanceConfig, InstanceRecord } from "../db/mod.ts";
import { transaction } from "../db/mod.ts";
import { conflict, HttpError, invalidField, notFound } from "../shared/http_error.ts";
import type { Logger } from "../log/mod.ts";
import { pickFreePort, poolPortProblem, type PortProbe, type PortRange } from "../ports/mod.ts";
import { parseGpuIds, slugProblem } from "../shared/identifiers.ts";
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
import { type TrashEntry, TrashStore } from "./trash_store.ts";

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

function isUniqueViolation(error: unknown, column: string): boolean {
  return error instanceof Error && /UNIQUE constraint failed/.test(error.message) &&
    error.message.includes(`instances.${column}`);
}

/**
 * The orchestrator of instance configuration: create, update, copy, instantiate, delete,
 * trash, launch script and display order. Validation happens before anything is written;
 * a failure leaves no row and no directory behind.
 */
export class InstanceService {
  readonly #d: InstanceServiceDeps;
  readonly #copies = new Set<Promise<void>>();

  constructor(deps: InstanceServiceDeps) {
    this.#d = deps;
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
    const slug = this.#resolveSlug(
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
    const script = await this.#d.blueprints.read(input.base_blueprint);
    const dir = this.#d.paths.instanceDir(slug);
    if (await exists(dir)) {
      throw conflict(`A folder for "${slug}" already exists in the instances folder`);
    }
    const record = this.#insertWithPort(config, input.port ?? null);
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
      patch.slug = this.#resolveSlug(input.slug, input.slug, "slug");
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
      const updated = transaction(this.#d.db, () => {
        if (newPort !== undefined) patch.port = this.#choosePort(newPort, current.id);
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
      throw this.#translateUnique(error, patch.slug ?? current.slug);
    }
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
    const slug = this.#resolveSlug(
      input.new_slug,
      input.new_name,
      input.new_slug === undefined ? "new_name" : "new_slug",
    );
    const record = this.#insertWithPort({
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
    const slug = this.#resolveSlug(
      input.new_slug,
      input.new_name,
      input.new_slug === undefined ? "new_name" : "new_slug",
    );
    if (await exists(this.#d.paths.instanceDir(slug))) {
      throw conflict(`A folder for "${slug}" already exists in the instances folder`);
    }
    const blueprint = await this.#d.blueprints.find(source.blueprint);
    const record = this.#insertWithPort(
      {
        ...this.#configOf(source),
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

  /** Deletes a stopped instance to the trash or permanently; outputs are never touched. */
  async remove(
    id: number,
    input: DeleteInstanceInput,
    actor: Actor,
  ): Promise<{ trashId: string | null }> {
    const record = this.getValid(id);
    if (ACTIVE_STATUSES.has(record.status) || record.status === "installing") {
      throw conflict(`"${record.name}" is ${record.status}; stop it before deleting`);
    }
    const children = this.#d.store.repo.childrenOf(id);
    if (children.length > 0) {
      throw conflict(
        `"${record.name}" is the parent of ${children.length} satellite(s): ${
          children.map((c) => c.name).join(", ")
        }; delete them first`,
        { satellites: children.map((c) => c.id) },
      );
    }
    const dir = this.#d.paths.instanceDir(record.slug);
    const hasDir = await exists(dir);
    let trashId: string | null = null;
    if (input.mode === "trash") {
      const previous = await this.#d.trash.entriesFor(record.slug);
      if (previous.length > 0 && !input.overwrite) {
        throw new HttpError(
          409,
          `The trash already holds "${record.slug}" (deleted ${
            previous[0]?.deletedAt
          }); overwrite it?`,
          { confirm: "overwrite", trash: previous.map((p) => p.id) },
          "trash_conflict",
        );
      }
      for (const entry of previous) await this.#d.trash.purge(entry.id);
      const manifest = {
        instanceId: id,
        deletedAt: new Date().toISOString(),
        config: this.#configOf(record),
      };
      trashId = hasDir
        ? await this.#d.trash.moveIn(dir, manifest)
        : await this.#d.trash.storeManifestOnly(manifest);
    } else if (hasDir) {
      await this.#d.trash.purgeDir(dir, record.slug);
    }
    this.#d.store.repo.delete(id);
    this.#d.store.removed(id);
    this.#audit(actor, "instance.delete", record.slug, { mode: input.mode });
    return { trashId };
  }

  listTrash(): Promise<TrashEntry[]> {
    return this.#d.trash.list();
  }

  /** Brings a trash entry back as an instance (its old port if still free). */
  async restore(trashId: string, actor: Actor): Promise<InstanceRecord> {
    const problem = TrashStore.entryProblem(trashId);
    const manifest = problem ? null : await this.#d.trash.manifest(trashId);
    if (!manifest) throw notFound("Trash entry");
    const config = manifest.config;
    if (config.parentId !== null && !this.#d.store.get(config.parentId)) {
      throw conflict(`The parent of satellite "${config.name}" no longer exists`);
    }
    this.#resolveSlug(config.slug, config.slug, "slug");
    const target = this.#d.paths.instanceDir(config.slug);
    if (await exists(target)) throw conflict(`A folder for "${config.slug}" already exists`);
    const held = this.#d.store.repo.usedPorts();
    const port = config.port !== null && !held.has(config.port) &&
        !poolPortProblem(this.#d.portRange, config.port) && !this.#d.portInUse(config.port)
      ? config.port
      : null;
    const record = this.#insertWithPort({ ...config, port: null }, port);
    try {
      const hasFolder = await exists(`${this.#d.trash.root}/${trashId}/launch.sh`) ||
        config.parentId === null;
      if (hasFolder) await this.#d.trash.moveOut(trashId, target);
      else await this.#d.trash.purge(trashId);
    } catch (error) {
      this.#d.store.repo.delete(record.id);
      throw error;
    }
    this.#audit(actor, "instance.restore", config.slug, { trash: trashId });
    return this.#d.store.published(record);
  }

  async purge(trashId: string, actor: Actor): Promise<void> {
    if (TrashStore.entryProblem(trashId) || !(await this.#d.trash.manifest(trashId))) {
      throw notFound("Trash entry");
    }
    await this.#d.trash.purge(trashId);
    this.#audit(actor, "trash.purge", trashId, null);
  }

  /** The script an instance runs: its own launch.sh, the parent's for a satellite, else the blueprint. */
  async readScript(
    id: number,
  ): Promise<{ content: string; source: "instance" | "parent" | "blueprint" }> {
    const record = this.getValid(id);
    const owner = record.parentId === null ? record : this.getValid(record.parentId);
    const path = this.#d.paths.launchScript(owner.slug);
    await this.#guardScriptPath(path);
    try {
      const content = await Deno.readTextFile(path);
      return { content, source: record.parentId === null ? "instance" : "parent" };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const blueprint = await this.#d.blueprints.find(owner.blueprint);
    if (!blueprint) throw notFound("Launch script");
    return { content: await this.#d.blueprints.read(owner.blueprint), source: "blueprint" };
  }

  /** Replaces launch.sh (not for satellites); restarts when asked and running. */
  async writeScript(
    id: number,
    content: string,
    restart: boolean,
    actor: Actor,
  ): Promise<InstanceRecord> {
    const record = this.getValid(id);
    if (record.parentId !== null) {
      throw new HttpError(403, "A satellite runs its parent's script; edit the parent instead");
    }
    const dir = this.#d.paths.instanceDir(record.slug);
    await Deno.mkdir(dir, { recursive: true });
    const path = this.#d.paths.launchScript(record.slug);
    await this.#guardScriptPath(path);
    await writeFileAtomic(path, content, 0o755);
    this.#audit(actor, "instance.script_edit", record.slug, { bytes: content.length });
    if (restart && ACTIVE_STATUSES.has(record.status)) {
      await this.#d.runtime.stop(id, actor);
      return await this.#d.runtime.start(id, actor);
    }
    return this.get(id);
  }

  /** Refuses a launch.sh that is a symlink or sits outside the instances root (T15). */
  async #guardScriptPath(path: string): Promise<void> {
    try {
      const info = await Deno.lstat(path);
      if (info.isSymlink || !info.isFile) {
        throw new HttpError(409, "launch.sh is not a regular file; refusing to follow it");
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const root = await Deno.realPath(this.#d.paths.instancesRoot).catch(() => null);
    const parent = await Deno.realPath(path.slice(0, path.lastIndexOf("/"))).catch(() => null);
    if (root && parent && parent !== root && !parent.startsWith(root + "/")) {
      throw new HttpError(409, "The instance folder resolves outside the instances folder");
    }
  }

  /** Public pool ports not held by an instance nor used by another process. */
  availablePorts(): number[] {
    const held = this.#d.store.repo.usedPorts();
    const free: number[] = [];
    for (let port = this.#d.portRange.start; port <= this.#d.portRange.end; port++) {
      if (!held.has(port) && !this.#d.portInUse(port)) free.push(port);
    }
    return free;
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

  #configOf(record: InstanceRecord): InstanceConfig {
    return {
      parentId: record.parentId,
      name: record.name,
      slug: record.slug,
      blueprint: record.blueprint,
      gpuIds: record.gpuIds,
      autostart: record.autostart,
      persistentMode: record.persistentMode,
      hostname: record.hostname,
      useCustomHostname: record.useCustomHostname,
      outputPath: record.outputPath,
      port: record.port,
      restartPolicy: record.restartPolicy,
      pythonVersion: record.pythonVersion,
      cudaVersion: record.cudaVersion,
      torchVersion: record.torchVersion,
    };
  }

  #resolveSlug(slug: string | undefined, name: string, field: string): string {
    const candidate = slug ?? name;
    const problem = slugProblem(candidate);
    if (problem) {
      throw invalidField(
        field,
        slug === undefined ? `${problem} (or give a separate "slug")` : problem,
      );
    }
    const holder = this.#d.store.repo.getBySlug(candidate);
    if (holder) {
      throw conflict(`An instance with slug "${candidate}" already exists ("${holder.name}")`);
    }
    return candidate;
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

  /** Picks or checks the public port; call inside the transaction that writes the row. */
  #choosePort(requested: number | null, selfId: number | null): number {
    const repo = this.#d.store.repo;
    if (requested !== null) {
      const problem = poolPortProblem(this.#d.portRange, requested);
      if (problem) throw invalidField("port", problem);
      const holder = repo.list().find((r) => r.port === requested && r.id !== selfId);
      if (holder) throw conflict(`Port ${requested} is already used by instance "${holder.name}"`);
      if (this.#d.portInUse(requested)) {
        throw conflict(`Port ${requested} is used by another program on this host`);
      }
      return requested;
    }
    const held = repo.usedPorts();
    const port = pickFreePort(this.#d.portRange, held, this.#d.portInUse);
    if (port === null) {
      throw new HttpError(
        503,
        `No free port left in the pool ${this.#d.portRange.start}-${this.#d.portRange.end}`,
      );
    }
    return port;
  }

  /** Inserts the row and reserves its port in one transaction (the UNIQUE constraint is the lock). */
  #insertWithPort(
    config: InstanceConfig,
    requestedPort: number | null,
    status: "stopped" | "installing" = "stopped",
  ): InstanceRecord {
    try {
      return transaction(this.#d.db, () => {
        const port = this.#choosePort(requestedPort, null);
        return this.#d.store.repo.insert({ ...config, port }, { status });
      });
    } catch (error) {
      throw this.#translateUnique(error, config.slug);
    }
  }

  #translateUnique(error: unknown, slug: string): unknown {
    if (isUniqueViolation(error, "slug")) {
      return conflict(`An instance with slug "${slug}" already exists`);
    }
    if (isUniqueViolation(error, "port")) return conflict("That port was just taken; retry");
    return error;
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
