import type { InstanceRecord } from "../db/mod.ts";
import { writeFileAtomic } from "../fs/mod.ts";
import { HttpError, notFound } from "../shared/http_error.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import type { InstancePaths } from "./instance_paths.ts";

/** Reading and writing instances' launch.sh, never through a symlink or outside the root (T15). */
export class LaunchScripts {
  constructor(
    private readonly paths: InstancePaths,
    private readonly blueprints: BlueprintSource,
  ) {}

  /** The owner's launch.sh (the parent's for a satellite), else its blueprint. */
  async read(
    record: InstanceRecord,
    parent: InstanceRecord | null,
  ): Promise<{ content: string; source: "instance" | "parent" | "blueprint" }> {
    const owner = parent ?? record;
    const path = this.paths.launchScript(owner.slug);
    await this.#guard(path);
    try {
      return { content: await Deno.readTextFile(path), source: parent ? "parent" : "instance" };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (!(await this.blueprints.find(owner.blueprint))) throw notFound("Launch script");
    return { content: await this.blueprints.read(owner.blueprint), source: "blueprint" };
  }

  /** Replaces launch.sh atomically; 403 for a satellite (it runs its parent's). */
  async write(record: InstanceRecord, content: string): Promise<void> {
    if (record.parentId !== null) {
      throw new HttpError(403, "A satellite runs its parent's script; edit the parent instead");
    }
    await Deno.mkdir(this.paths.instanceDir(record.slug), { recursive: true });
    const path = this.paths.launchScript(record.slug);
    await this.#guard(path);
    await writeFileAtomic(path, content, 0o755);
  }

  async #guard(path: string): Promise<void> {
    try {
      const info = await Deno.lstat(path);
      if (info.isSymlink || !info.isFile) {
        throw new HttpError(409, "launch.sh is not a regular file; refusing to follow it");
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const root = await Deno.realPath(this.paths.instancesRoot).catch(() => null);
    const parent = await Deno.realPath(path.slice(0, path.lastIndexOf("/"))).catch(() => null);
    if (root && parent && parent !== root && !parent.startsWith(root + "/")) {
      throw new HttpError(409, "The instance folder resolves outside the instances folder");
    }
  }
}
