import {
  exists,
  lstatBeneath,
  PathRefused,
  readTextBeneath,
  removeBeneath,
  writeBeneath,
} from "../fs/mod.ts";
import { type TrashManifest, validateTrashManifest } from "./trash_manifest.ts";

export type { TrashManifest } from "./trash_manifest.ts";

/** One entry of the trash, as listed to users. */
export interface TrashEntry {
  /** Folder name under the trash root, e.g. `comfy-20261125T120000Z`. */
  id: string;
  slug: string;
  name: string;
  blueprint: string;
  deletedAt: string;
  satellite: boolean;
}

const MANIFEST = ".aikore-trash.json";
const ENTRY_RE = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)-(\d{8}T\d{6}\d{3}Z)$/;
const PURGE_PREFIX = ".purge-";

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, "");
}

/** The trash folder: deleted instance dirs with a manifest, restorable and purgeable. */
export class TrashStore {
  constructor(readonly root: string, private readonly now = () => new Date()) {}

  /** Validates a trash entry id from a request (never a path). */
  static entryProblem(id: string): string | null {
    return ENTRY_RE.test(id) ? null : "not a trash entry name";
  }

  /**
   * Writes the manifest into `dir` (a real folder directly in `dirRoot`, never through a link)
   * and moves `dir` into the trash in one rename.
   */
  async moveIn(dirRoot: string, dir: string, manifest: TrashManifest): Promise<string> {
    const info = await lstatBeneath(dirRoot, dir);
    if (!info?.isDirectory) {
      throw new PathRefused(
        dir.slice(dirRoot.length + 1),
        "the instance folder is not a real folder",
      );
    }
    await Deno.mkdir(this.root, { recursive: true });
    const id = `${manifest.config.slug}-${stamp(this.now())}`;
    await writeBeneath(dirRoot, `${dir}/${MANIFEST}`, JSON.stringify(manifest, null, 2));
    await Deno.rename(dir, `${this.root}/${id}`);
    return id;
  }

  /** Stores a manifest-only entry (a satellite that never ran has no folder). */
  async storeManifestOnly(manifest: TrashManifest): Promise<string> {
    const id = `${manifest.config.slug}-${stamp(this.now())}`;
    const staging = `${this.root}/${PURGE_PREFIX}${id}`;
    await Deno.mkdir(staging, { recursive: true });
    await writeBeneath(this.root, `${staging}/${MANIFEST}`, JSON.stringify(manifest, null, 2));
    await Deno.rename(staging, `${this.root}/${id}`);
    return id;
  }

  async list(): Promise<TrashEntry[]> {
    const entries: TrashEntry[] = [];
    if (!(await exists(this.root))) return entries;
    for await (const item of Deno.readDir(this.root)) {
      if (!item.isDirectory || TrashStore.entryProblem(item.name)) continue;
      const manifest = await this.manifest(item.name).catch((error) => {
        if (error instanceof PathRefused) return null; // a planted link: not listed, never read
        throw error;
      });
      if (!manifest) continue;
      // The slug comes from the entry's own name: the manifest is untrusted until restored.
      const slug = ENTRY_RE.exec(item.name)?.[1] ?? item.name;
      entries.push({
        id: item.name,
        slug,
        name: String(manifest.config.name ?? slug).slice(0, 64),
        blueprint: String(manifest.config.blueprint ?? "").slice(0, 64),
        deletedAt: String(manifest.deletedAt ?? "").slice(0, 40),
        satellite: manifest.config.parentId !== null && manifest.config.parentId !== undefined,
      });
    }
    return entries.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
  }

  /** The manifest of entry `id` as stored, or null when missing or unreadable; a link is a 409. */
  async manifest(id: string): Promise<TrashManifest | null> {
    if (TrashStore.entryProblem(id)) return null;
    try {
      const parsed = JSON.parse(await readTextBeneath(this.root, `${id}/${MANIFEST}`) ?? "null");
      // Only the shape needed to list the entry; restore validates every field (validManifest).
      if (typeof parsed?.config !== "object" || parsed.config === null) return null;
      return parsed as TrashManifest;
    } catch (error) {
      if (error instanceof PathRefused) throw error;
      return null;
    }
  }

  /** The manifest of entry `id` validated like API input (422 naming the field), or null. */
  async validManifest(id: string): Promise<TrashManifest | null> {
    const stored = await this.manifest(id);
    return stored === null ? null : validateTrashManifest(stored, id);
  }

  /** True when entry `id` is a real folder in the trash (whatever its manifest holds). */
  async has(id: string): Promise<boolean> {
    if (TrashStore.entryProblem(id)) return false;
    return (await lstatBeneath(this.root, id))?.isDirectory === true;
  }

  /** Entries holding the same slug. */
  async entriesFor(slug: string): Promise<TrashEntry[]> {
    return (await this.list()).filter((entry) => entry.slug === slug);
  }

  /** Moves entry `id` (a real folder) back to `target` in `targetRoot` and drops its manifest. */
  async moveOut(id: string, targetRoot: string, target: string): Promise<void> {
    const info = await lstatBeneath(this.root, id);
    if (!info?.isDirectory) throw new PathRefused(id, "the trash entry is not a real folder");
    await Deno.rename(`${this.root}/${id}`, target);
    await removeBeneath(targetRoot, `${target}/${MANIFEST}`).catch(() => {});
  }

  /** Deletes entry `id` for good: renamed aside first so a crash never leaves half an entry. */
  async purge(id: string): Promise<void> {
    const aside = `${this.root}/${PURGE_PREFIX}${id}-${crypto.randomUUID()}`;
    await Deno.rename(`${this.root}/${id}`, aside);
    await removeTree(aside);
  }

  /** Deletes an instance folder for good (permanent delete), renamed aside first. */
  async purgeDir(dir: string, slug: string): Promise<void> {
    await Deno.mkdir(this.root, { recursive: true });
    const aside = `${this.root}/${PURGE_PREFIX}${slug}-${crypto.randomUUID()}`;
    await Deno.rename(dir, aside);
    await removeTree(aside);
  }

  /** Finishes purges interrupted by a crash. */
  async sweepInterruptedPurges(): Promise<number> {
    if (!(await exists(this.root))) return 0;
    let swept = 0;
    for await (const item of Deno.readDir(this.root)) {
      if (item.name.startsWith(PURGE_PREFIX)) {
        await removeTree(`${this.root}/${item.name}`);
        swept++;
      }
    }
    return swept;
  }
}

/** Removes a tree, making read-only folders writable first (installed envs often have them). */
async function removeTree(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    const chmod = new Deno.Command("chmod", { args: ["-R", "u+rwX", "--", path] });
    await chmod.output();
    await Deno.remove(path, { recursive: true });
  }
}
