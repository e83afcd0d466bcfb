import type { DatabaseSync } from "node:sqlite";
import type { AuditRepository, InstanceConfig, InstanceRecord } from "../db/mod.ts";
import { transaction } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { PortProbe, PortRange } from "../ports/mod.ts";
import { parseGpuIds } from "../shared/identifiers.ts";
import { customHostnameProblem } from "../shared/custom_hostname.ts";
import { normalizeIdleStop } from "../shared/idle_stop.ts";
import type {
  CopyInput,
  CreateInstanceInput,
  DeleteInstanceInput,
  NewNameInput,
  UpdateInstanceInput,
} from "../shared/instance_schema.ts";
import { DomainError, invalidInput, missing, stateConflict } from "../shared/domain_error.ts";
import type { Actor } from "./actor.ts";
import type { BlueprintFacts, BlueprintSource } from "./blueprint_source.ts";
import { exists, mkdirBeneath, writeBeneath } from "../fs/mod.ts";
import type { InstancePaths } from "./instance_paths.ts";
import { type InstanceStore, ORDER_EVENT } from "./instance_store.ts";
import type { RuntimeControl } from "./runtime/runtime_control.ts";
import { requireValid } from "./valid_record.ts";
import { InstanceRemoval } from "./instance_removal.ts";
import { InstanceUpdate } from "./instance_update.ts";
import { InstanceCopies } from "./instance_copies.ts";
import { LaunchScripts, stageInstanceFolder, sweepUnfinishedCreates } from "./launch_scripts.ts";
import { RowReservation } from "./row_reservation.ts";
import type { TrashEntry, TrashStore } from "./trash_store.ts";

export type { RuntimeControl };

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

/**
 * The one entry point routes use for instances, configuration and runtime alike: create,
 * update, copy, instantiate, delete, trash, launch script, display order, and start, stop,
 * restart and rebuild (through each instance's owner). Validation happens before anything is written;
 * a failure leaves no row and no directory behind.
 */
export class InstanceService {
  readonly #d: InstanceServiceDeps;
  readonly #copies: InstanceCopies;
  readonly #rows: RowReservation;
  readonly #removal: InstanceRemoval;
  readonly #scripts: LaunchScripts;
  readonly #update: InstanceUpdate;

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
    this.#copies = new InstanceCopies({
      store: deps.store,
      paths: deps.paths,
      blueprints: deps.blueprints,
      rows: this.#rows,
      runtime: deps.runtime,
      logger: deps.logger,
      getValid: (id) => this.getValid(id),
      audit: (actor, action, target, detail) => this.#audit(actor, action, target, detail),
    });
    this.#update = new InstanceUpdate({
      store: deps.store,
      logger: deps.logger,
      paths: deps.paths,
      blueprints: deps.blueprints,
      rows: this.#rows,
      requireBlueprint: (file) => this.#requireBlueprint(file),
      gpuIds: (text) => this.#gpuIds(text),
      checkHostname: (hostname, selfId) => this.#checkHostname(hostname, selfId),
      audit: (actor, action, target, detail) => this.#audit(actor, action, target, detail),
    });
    // Before any request: finish what a kill -9 interrupted in a create.
    const swept = sweepUnfinishedCreates(deps.paths, (slug) => !!deps.store.repo.getBySlug(slug));
    if (swept.length > 0) deps.logger.info("removed unfinished creates", { folders: swept });
  }

  list(): readonly InstanceRecord[] {
    return this.#d.store.list();
  }

  /** The instance, or 404. */
  get(id: number): InstanceRecord {
    const record = this.#d.store.get(id);
    if (!record) throw missing("Instance");
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
      idleStopMinutes: normalizeIdleStop(input.idle_stop_minutes),
    };
    if (config.useCustomHostname && !config.hostname) {
      throw invalidInput("hostname", "is required when use_custom_hostname is on");
    }
    if (config.hostname) this.#checkHostname(config.hostname, null);
    const script = await this.#d.blueprints.read(input.base_blueprint);
    const dir = this.#d.paths.instanceDir(slug);
    if (await exists(dir)) {
      throw stateConflict(`A folder for "${slug}" already exists in the instances folder`);
    }
    // Folder and launch.sh first, published inside the row's transaction (crash-atomic).
    const staged = await stageInstanceFolder(this.#d.paths, slug, script);
    let record: InstanceRecord;
    try {
      record = this.#rows.insert(config, input.port ?? null, "stopped", () => staged.publish());
    } catch (error) {
      await staged.discard();
      throw error;
    }
    staged.acknowledge();
    this.#audit(actor, "instance.create", slug, { blueprint: config.blueprint });
    return this.#d.store.published(record);
  }

  /** Changes the configuration; fields that need a restart need `restart: true` while running. */
  update(id: number, input: UpdateInstanceInput, actor: Actor): Promise<InstanceRecord> {
    this.getValid(id);
    return this.#d.runtime.exclusive(
      id,
      (section) => this.#update.apply(this.getValid(id), input, actor, section),
    );
  }

  /** 422 on `hostname` when it is loopback, an IP, the dashboard's or another instance's. */
  #checkHostname(hostname: string, selfId: number | null): void {
    const problem = customHostnameProblem(hostname, {
      dashboardNames: this.#d.dashboardNames ?? [],
      others: this.#d.store.repo.list().filter((record) => record.id !== selfId),
    });
    if (problem) throw invalidInput("hostname", problem);
  }

  /** Creates a satellite of `id`: same app, own GPUs/port/logs; its folder appears at first start. */
  instantiate(id: number, input: NewNameInput, actor: Actor): InstanceRecord {
    const parent = this.getValid(id);
    if (parent.parentId !== null) {
      throw stateConflict(`"${parent.name}" is a satellite; a satellite cannot have satellites`);
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
  copy(id: number, input: CopyInput, actor: Actor): Promise<InstanceRecord> {
    return this.#copies.copy(id, input, actor);
  }

  /** Resolves when every background copy has finished (tests and shutdown). */
  settled(): Promise<void> {
    return this.#copies.settled();
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
  writeScript(
    id: number,
    content: string,
    restart: boolean,
    actor: Actor,
  ): Promise<InstanceRecord> {
    this.getValid(id);
    return this.#d.runtime.exclusive(id, async (section) => {
      const record = this.getValid(id);
      await this.#scripts.write(record, content);
      this.#audit(actor, "instance.script_edit", record.slug, { bytes: content.length });
      if (restart && section.live) {
        await section.stop(actor);
        return await section.start(actor);
      }
      return this.get(id);
    });
  }

  /** Starts an instance (status → starting → started). */
  start(id: number, actor: Actor): Promise<InstanceRecord> {
    this.getValid(id);
    return this.#d.runtime.start(id, actor);
  }

  /** Stops an instance; resolves when nothing of it is left. */
  stop(id: number, actor: Actor): Promise<InstanceRecord> {
    this.getValid(id);
    return this.#d.runtime.stop(id, actor);
  }

  /** Stop (if running) then start, as one operation. */
  restart(id: number, actor: Actor): Promise<InstanceRecord> {
    this.getValid(id);
    return this.#d.runtime.restart(id, actor);
  }

  /** Marks the environment for rebuild at the next start; restarts a running instance. */
  rebuild(id: number, actor: Actor): Promise<InstanceRecord> {
    const first = this.getValid(id);
    if (first.parentId !== null) {
      throw new DomainError(
        "forbidden",
        "A satellite uses its parent's environment; rebuild the parent",
      );
    }
    return this.#d.runtime.exclusive(id, async (section) => {
      const record = this.getValid(id);
      if (section.held > 0) {
        throw stateConflict(`"${record.name}" is being cloned; rebuild it once the copy is done`);
      }
      const running = section.live;
      if (running) await section.stop(actor);
      const root = this.#d.paths.instancesRoot;
      await mkdirBeneath(root, this.#d.paths.instanceDir(record.slug));
      await writeBeneath(root, this.#d.paths.rebuildMarker(record.slug), "requested\n");
      this.#audit(actor, "instance.rebuild", record.slug, { restarted: running });
      return running ? await section.start(actor) : this.get(id);
    });
  }

  /** Deletes a stopped instance to the trash or permanently; outputs are never touched. */
  remove(
    id: number,
    input: DeleteInstanceInput,
    actor: Actor,
  ): Promise<{ trashId: string | null }> {
    // Not getValid: an invalid stored row must stay deletable (its slug is checked there).
    this.get(id);
    return this.#d.runtime.exclusive(id, async (section) => {
      const record = this.get(id);
      if (section.live) {
        throw stateConflict(`"${record.name}" is ${record.status}; stop it before deleting`);
      }
      if (section.held > 0) {
        throw stateConflict(`"${record.name}" is being cloned; delete it once the copy is done`);
      }
      const trashId = await this.#removal.remove(record, input, actor);
      section.forgetRestart();
      return { trashId };
    });
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
      throw invalidInput("order", `unknown instance id(s): ${unknown.join(", ")}`);
    }
    if (new Set(order).size !== order.length) throw invalidInput("order", "lists an id twice");
    transaction(this.#d.db, () => this.#d.store.repo.setDisplayOrder(order));
    this.#d.store.bus.publish(ORDER_EVENT, { order });
    this.#audit(actor, "instance.order", null, null);
    return order;
  }

  async #requireBlueprint(file: string): Promise<BlueprintFacts> {
    const blueprint = await this.#d.blueprints.find(file);
    if (!blueprint) throw invalidInput("base_blueprint", `no blueprint named "${file}"`);
    if (blueprint.error) throw invalidInput("base_blueprint", blueprint.error);
    return blueprint;
  }

  #gpuIds(text: string | null | undefined): string {
    if (text === "") {
      throw invalidInput(
        "gpu_ids",
        'is empty: choose "none" (CPU only), "all" (every GPU) or indices such as 0,1',
      );
    }
    const parsed = parseGpuIds(text ?? "", this.#d.gpuCount());
    if (!parsed.ok) throw invalidInput("gpu_ids", parsed.reason);
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
