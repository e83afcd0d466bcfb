import type { InstanceRecord } from "../db/mod.ts";
import { exists } from "../fs/mod.ts";
import type { Logger } from "../log/mod.ts";
import { stateConflict } from "../shared/domain_error.ts";
import type { CopyInput } from "../shared/instance_schema.ts";
import type { Actor } from "./actor.ts";
import type { BlueprintFacts, BlueprintSource } from "./blueprint_source.ts";
import { cloneInstanceFiles } from "./clone_files.ts";
import type { InstancePaths } from "./instance_paths.ts";
import type { InstanceStore } from "./instance_store.ts";
import { configOf, type RowReservation } from "./row_reservation.ts";
import type { RuntimeControl } from "./runtime/runtime_control.ts";

export interface InstanceCopiesDeps {
  store: InstanceStore;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  rows: RowReservation;
  runtime: Pick<RuntimeControl, "hold">;
  logger: Logger;
  getValid(id: number): InstanceRecord;
  audit(
    actor: Actor,
    action: string,
    target: string | null,
    detail: Record<string, unknown> | null,
  ): void;
}

/**
 * Clones: the new row is `installing` at once and the files are copied in the background
 * while the source is held (no rename, delete or rebuild of it meanwhile).
 */
export class InstanceCopies {
  readonly #jobs = new Set<Promise<void>>();

  constructor(private readonly d: InstanceCopiesDeps) {}

  /** Clones `id`: an `installing` row now, the files copied in the background. */
  async copy(id: number, input: CopyInput, actor: Actor): Promise<InstanceRecord> {
    const source = this.d.getValid(id);
    if (source.parentId !== null) {
      throw stateConflict(`"${source.name}" is a satellite; clone its parent instead`);
    }
    const slug = this.d.rows.resolveSlug(
      input.new_slug,
      input.new_name,
      input.new_slug === undefined ? "new_name" : "new_slug",
    );
    if (await exists(this.d.paths.instanceDir(slug))) {
      throw stateConflict(`A folder for "${slug}" already exists in the instances folder`);
    }
    const blueprint = await this.d.blueprints.find(source.blueprint);
    // The source's folder must stay where it is while it is copied (no rename, delete, rebuild).
    const release = await this.d.runtime.hold(id);
    let record: InstanceRecord;
    let held: InstanceRecord;
    try {
      held = this.d.getValid(id); // re-read: it may have been renamed before the hold
      record = this.#insert(held, input, slug);
    } catch (error) {
      release();
      throw error;
    }
    this.d.audit(actor, "instance.copy", slug, { source: held.slug });
    this.d.store.published(record);
    const job = this.#run(held, record, blueprint, release);
    this.#jobs.add(job);
    job.finally(() => this.#jobs.delete(job));
    return record;
  }

  #insert(source: InstanceRecord, input: CopyInput, slug: string): InstanceRecord {
    return this.d.rows.insert(
      {
        ...configOf(source),
        name: input.new_name,
        slug,
        outputPath: input.output_path ?? source.outputPath,
        autostart: false,
        hostname: null,
        useCustomHostname: false,
      },
      null,
      "installing",
    );
  }

  async #run(
    source: InstanceRecord,
    target: InstanceRecord,
    blueprint: BlueprintFacts | null,
    release: () => void,
  ): Promise<void> {
    const targetDir = this.d.paths.instanceDir(target.slug);
    try {
      const note = await cloneInstanceFiles({
        root: this.d.paths.instancesRoot,
        sourceDir: this.d.paths.instanceDir(source.slug),
        targetDir,
        venvPath: blueprint?.metadata?.venvPath ?? "./env",
        venvType: blueprint?.metadata?.venvType ?? "none",
        logger: this.d.logger,
      });
      this.d.store.transition(target.id, "stopped", { statusMessage: note });
    } catch (error) {
      await Deno.remove(targetDir, { recursive: true }).catch((cleanup) =>
        this.d.logger.warn("could not remove the folder of a failed clone", {
          dir: targetDir,
          error: cleanup,
        })
      );
      const message = error instanceof Error ? error.message : String(error);
      this.d.logger.warn("clone failed", { slug: target.slug, error: message });
      if (this.d.store.get(target.id)) {
        this.d.store.transition(target.id, "error", { statusMessage: `Clone failed: ${message}` });
      }
    } finally {
      release();
    }
  }

  /** Resolves when every background copy has finished (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.#jobs.size) await Promise.allSettled([...this.#jobs]);
  }
}
