import type { InstanceRecord } from "../db/mod.ts";
import { mkdirBeneath, readTextBeneath, writeBeneath } from "../fs/mod.ts";
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
    const content = await readTextBeneath(this.paths.instancesRoot, path);
    if (content !== null) return { content, source: parent ? "parent" : "instance" };
    if (!(await this.blueprints.find(owner.blueprint))) throw notFound("Launch script");
    return { content: await this.blueprints.read(owner.blueprint), source: "blueprint" };
  }

  /** Replaces launch.sh atomically; 403 for a satellite (it runs its parent's). */
  async write(record: InstanceRecord, content: string): Promise<void> {
    if (record.parentId !== null) {
      throw new HttpError(403, "A satellite runs its parent's script; edit the parent instead");
    }
    await mkdirBeneath(this.paths.instancesRoot, this.paths.instanceDir(record.slug));
    await writeBeneath(
      this.paths.instancesRoot,
      this.paths.launchScript(record.slug),
      content,
      0o755,
    );
  }
}
