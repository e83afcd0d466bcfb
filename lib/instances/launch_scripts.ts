import type { InstanceRecord } from "../db/mod.ts";
import { mkdirBeneath, readTextBeneath, writeBeneath, writeFileAtomic } from "../fs/mod.ts";
import { DomainError, missing, stateConflict } from "../shared/domain_error.ts";
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
    if (!(await this.blueprints.find(owner.blueprint))) throw missing("Launch script");
    return { content: await this.blueprints.read(owner.blueprint), source: "blueprint" };
  }

  /** Replaces launch.sh atomically; 403 for a satellite (it runs its parent's). */
  async write(record: InstanceRecord, content: string): Promise<void> {
    if (record.parentId !== null) {
      throw new DomainError(
        "forbidden",
        "A satellite runs its parent's script; edit the parent instead",
      );
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

/** Prefix of a folder being prepared for a create (under the instances folder). */
const STAGING_PREFIX = ".creating-";
/** In a published folder until its create is acknowledged; names the unfinished create. */
const UNFINISHED_MARK = ".aikore-unfinished-create";

/** A new instance's folder with its launch.sh, prepared under a staging name. */
export interface StagedFolder {
  /** Renames it to the instance's folder; call inside the transaction that inserts the row. */
  publish(): void;
  /** After the commit: the create is complete (removes the unfinished mark). */
  acknowledge(): void;
  /** Removes what was prepared (the create failed). */
  discard(): Promise<void>;
}

/**
 * Prepares the folder and launch.sh of a new instance under a staging name, so that a crash
 * at any point leaves either a complete instance (row + folder + launch.sh) or nothing once
 * `sweepUnfinishedCreates` ran at the next boot: the rename happens inside the row's
 * transaction, and the folder carries a mark until the commit is through.
 */
export async function stageInstanceFolder(
  paths: InstancePaths,
  slug: string,
  script: string,
): Promise<StagedFolder> {
  await Deno.mkdir(paths.instancesRoot, { recursive: true });
  const staging = `${paths.instancesRoot}/${STAGING_PREFIX}${crypto.randomUUID()}`;
  const target = paths.instanceDir(slug);
  try {
    await Deno.mkdir(staging);
    await writeFileAtomic(`${staging}/${UNFINISHED_MARK}`, slug);
    await writeFileAtomic(`${staging}/launch.sh`, script, 0o755);
  } catch (error) {
    await removeLeftover(staging);
    throw error;
  }
  let published = false;
  return {
    publish() {
      if (existsSync(target)) {
        throw stateConflict(`A folder for "${slug}" already exists in the instances folder`);
      }
      Deno.renameSync(staging, target);
      published = true;
    },
    acknowledge() {
      try {
        Deno.removeSync(`${target}/${UNFINISHED_MARK}`);
      } catch {
        // The boot sweep removes a leftover mark of a committed create; nothing is lost.
      }
    },
    async discard() {
      // Published but rolled back (the commit failed): the folder is ours to remove.
      await removeLeftover(published ? target : staging);
    },
  };
}

/**
 * At boot, before serving: removes staging folders, and published folders still marked
 * unfinished whose row was never committed; clears the mark where the row exists. Returns
 * the names of the removed folders.
 */
export function sweepUnfinishedCreates(
  paths: InstancePaths,
  hasRow: (slug: string) => boolean,
): string[] {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(paths.instancesRoot)];
  } catch {
    return removed; // no instances folder yet
  }
  for (const entry of entries) {
    if (!entry.isDirectory) continue;
    const dir = `${paths.instancesRoot}/${entry.name}`;
    const staging = entry.name.startsWith(STAGING_PREFIX);
    if (!staging && !existsSync(`${dir}/${UNFINISHED_MARK}`)) continue;
    if (!staging && hasRow(entry.name)) {
      Deno.removeSync(`${dir}/${UNFINISHED_MARK}`);
      continue;
    }
    Deno.removeSync(dir, { recursive: true });
    removed.push(entry.name);
  }
  return removed;
}

/** Removes a half-made folder; one that cannot be removed now is left to the boot sweep. */
async function removeLeftover(dir: string): Promise<void> {
  try {
    await Deno.remove(dir, { recursive: true });
  } catch {
    // Missing already, or removal failed: sweepUnfinishedCreates removes it at the next boot.
  }
}

function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
