import type { InstanceRecord } from "../db/mod.ts";
import type { DiskFolder } from "../shared/disk_usage.ts";
import type { TrashEntry } from "./trash_store.ts";

/** What the folders directly in the data folder hold. */
const TOP_LEVEL: Readonly<Record<string, string>> = {
  instances: "instances: apps, environments and logs",
  outputs: "the instances' outputs",
  models: "shared models",
  trash: "trash: deleted instances (purge one to free its space)",
  cache: "AiKore's caches (thumbnails)",
  tmp: "the instances' temporary files",
  custom_blueprints: "custom blueprints",
  nginx: "the gateway's configuration and logs",
  run: "the instances' holders",
  terms: "the terminals' holders",
  lib: "the blueprints' helper library",
  ".cache": "tools' caches (pip, Hugging Face …)",
  backups: "copies of the database made before upgrades",
};

/** Folders inside an instance's folder that every blueprint has (`env`: the default venv_path). */
const IN_INSTANCE: Readonly<Record<string, string>> = {
  logs: "its logs",
  env: "its environment (venv or conda)",
};

export interface DataFolderContext {
  instances: readonly InstanceRecord[];
  trash: readonly TrashEntry[];
}

/**
 * A copy of a measured data-folder tree with each folder AiKore knows named: an instance's
 * folder by its instance, an output folder by the instances writing to it, a trash entry by the
 * instance it was. A folder no instance claims says so (left behind by hand, or by another
 * AiKore on the same folder).
 */
export function labelDataFolders(root: DiskFolder, context: DataFolderContext): DiskFolder {
  const bySlug = new Map(context.instances.map((i) => [i.slug, i]));
  const byId = new Map(context.instances.map((i) => [i.id, i]));
  const trash = new Map(context.trash.map((t) => [t.id, t]));
  const quoted = (name: string) => JSON.stringify(name);

  const instanceLabel = (slug: string): string => {
    const record = bySlug.get(slug);
    if (record === undefined) return "no instance has this folder";
    const parent = record.parentId === null ? undefined : byId.get(record.parentId);
    return parent === undefined
      ? `instance ${quoted(record.name)}`
      : `satellite ${quoted(record.name)} of ${quoted(parent.name)}`;
  };
  const outputsLabel = (folder: string): string => {
    const writers = context.instances.filter((i) =>
      i.outputPath === folder || i.outputPath.startsWith(`${folder}/`)
    );
    return writers.length === 0
      ? "no instance writes here now"
      : `outputs of ${writers.map((i) => quoted(i.name)).join(", ")}`;
  };
  const trashLabel = (id: string): string | null => {
    const entry = trash.get(id);
    return entry === undefined
      ? null
      : `deleted instance ${quoted(entry.name)} (${entry.deletedAt.slice(0, 10)})`;
  };

  const label = (path: readonly string[]): string | null => {
    const [top = "", second, third] = path;
    if (second === undefined) return TOP_LEVEL[top] ?? null;
    if (third === undefined) {
      if (top === "instances") return instanceLabel(second);
      if (top === "outputs") return outputsLabel(second);
      if (top === "trash") return trashLabel(second);
      return null;
    }
    return top === "instances" && bySlug.has(second) ? IN_INSTANCE[third] ?? null : null;
  };

  const copy = (folder: DiskFolder, path: readonly string[]): DiskFolder => ({
    ...folder,
    label: path.length === 0 ? null : label(path),
    folders: folder.folders.map((child) => copy(child, [...path, child.name])),
  });
  return copy(root, []);
}
