/**
 * A folder the dashboard browses read-only (an instance's outputs, the shared models): listings
 * with sizes, and the files in it. Everything is read confined beneath the root: a link (at the
 * browsed folder itself or anywhere inside) is listed as a link and never followed, and only
 * regular files are opened (non-blocking: a planted pipe is refused at once).
 */
import {
  ensureDirBeneath,
  type FolderUsage,
  listBeneath,
  lstatBeneath,
  openBeneathSync,
  removeBeneath,
  usageBeneath,
} from "../fs/mod.ts";
import { filePreview, type FolderEntry, type FolderListing } from "../shared/folder_listing.ts";
import { DomainError } from "../shared/domain_error.ts";
import { FolderChangeWatch } from "./folder_change_watch.ts";

/** Entries examined per listing: enough for a busy ComfyUI folder, bounded for a huge one. */
const EXAMINED = 20_000;
/** Entries returned per listing (the newest). */
const LISTED = 1_000;
/** Entries counted, all folders of a listing together, to size its folders. */
const SIZED = 20_000;
/**
 * How long a folder's counted size is reused. A view kept current asks again about once a second
 * while an app writes: the walk of a large folder tree is not repeated for each of those.
 */
const SIZE_REUSED_MS = 5_000;
/** Folder sizes remembered at most (the oldest go first). */
const SIZES_KEPT = 512;

/** A file of a browsed folder, opened for reading. */
export interface OpenedFile {
  file: Deno.FsFile;
  /** Bytes, when it was opened. */
  size: number;
  /** Last modified (ms since the epoch), when it was opened. */
  modifiedMs: number | null;
  /** Inline type and preview kind; null: to be downloaded only. */
  inline: { type: string; preview: "image" | "video" } | null;
  name: string;
}

/** Where a browse happens: the folder under the root, and its name for messages. */
export interface BrowsedFolder {
  /** The browsed folder relative to the root ("" for the root itself). */
  base: string;
  /** "the outputs of Trainer", "the shared models". */
  label: string;
}

export class FolderBrowser {
  readonly #changes: FolderChangeWatch;
  /** Recent folder sizes by path beneath the root, with when they were counted. */
  readonly #sizes = new Map<string, { usage: FolderUsage; at: number }>();

  constructor(
    private readonly root: string,
    private readonly limits = { examined: EXAMINED, listed: LISTED, sized: SIZED },
    watchedFolders = 16,
    private readonly now = () => performance.now(),
  ) {
    this.#changes = new FolderChangeWatch(watchedFolders);
  }

  /** Folders watched now for waiting reads (for tests). */
  get watchedFolders(): number {
    return this.#changes.watchedFolders;
  }

  /**
   * The listing of `path`, once it differs from `since` (a `version` the client has), or when
   * `waitMs` passed or `signal` aborted: a gallery sees a new image as soon as it is written,
   * without asking again and again. The folder is watched (inotify) before it is read, so a
   * change in between is not missed; where no watch can be had, it answers at once.
   */
  async listWaiting(
    folder: BrowsedFolder,
    path: string,
    since: string,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<FolderListing> {
    const target = this.#beneath(folder, path);
    const wait = this.#changes.watch(target === "" ? this.root : `${this.root}/${target}`);
    try {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const listing = await this.list(folder, path);
        const left = deadline - Date.now();
        if (listing.version !== since || wait === null || left <= 0 || signal.aborted) {
          return listing;
        }
        if (!await wait.until(left, signal)) return listing;
      }
    } finally {
      wait?.release();
    }
  }

  /** The folder `path` of `folder` ("" for the folder itself): folders first, then newest. */
  async list(folder: BrowsedFolder, path: string): Promise<FolderListing> {
    const listed = await listBeneath(this.root, this.#beneath(folder, path), this.limits.examined);
    if (listed === null) {
      // An instance's output folder is made at its first start: before it, empty, not an error.
      if (path === "") return { path, entries: [], total: 0, truncated: false, version: "empty" };
      throw new DomainError("not_found", `No folder "${path}" in ${folder.label}`);
    }
    const entries: FolderEntry[] = listed.entries.map((entry) => ({
      name: entry.name,
      kind: entry.kind,
      size: entry.size,
      size_complete: true,
      modified: entry.modified === null ? null : new Date(entry.modified).toISOString(),
      preview: entry.kind === "file" ? filePreview(entry.name)?.preview ?? null : null,
    }));
    entries.sort(newestFirst);
    const shown = entries.slice(0, this.limits.listed);
    await this.#sizeFolders(folder, path, shown);
    const truncated = listed.truncated || entries.length > this.limits.listed;
    return { path, entries: shown, total: entries.length, truncated, version: versionOf(entries) };
  }

  /** Opens the regular file `path` of `folder`; 404 when it does not exist. */
  open(folder: BrowsedFolder, path: string): OpenedFile {
    let file: Deno.FsFile;
    try {
      file = openBeneathSync(this.root, this.#beneath(folder, path), "read");
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new DomainError("not_found", `No file "${path}" in ${folder.label}`);
      }
      throw error;
    }
    const name = path.slice(path.lastIndexOf("/") + 1);
    const info = file.statSync();
    return {
      file,
      size: info.size,
      modifiedMs: info.mtime?.getTime() ?? null,
      inline: filePreview(name),
      name,
    };
  }

  /**
   * Deletes the file or link `path` of `folder` (a link itself, never its target), or an empty
   * folder. A folder with something in it is refused: nothing is deleted by the handful.
   */
  async remove(folder: BrowsedFolder, path: string): Promise<void> {
    const target = this.#beneath(folder, path);
    const info = await lstatBeneath(this.root, target);
    if (info === null) throw new DomainError("not_found", `No "${path}" in ${folder.label}`);
    try {
      await removeBeneath(this.root, target);
    } catch (error) {
      if (info.isDirectory && error instanceof Error && /not empty/i.test(error.message)) {
        throw new DomainError(
          "conflict",
          `"${path}" is a folder with files in it: delete them first`,
          { path },
          "folder_not_empty",
        );
      }
      throw error;
    }
  }

  /**
   * Makes the folder `path` (its missing parents too), confined: a link on the way is refused.
   * A file or a link already at its place is a conflict; an existing folder is not an error.
   */
  async makeFolder(folder: BrowsedFolder, path: string): Promise<void> {
    const target = this.#beneath(folder, path);
    await ensureDirBeneath(this.root, target);
  }

  /** Sizes the listed folders, all of them within one budget of counted entries. */
  async #sizeFolders(folder: BrowsedFolder, path: string, entries: FolderEntry[]): Promise<void> {
    let budget = this.limits.sized;
    for (const entry of entries) {
      if (entry.kind !== "folder") continue;
      const inside = this.#beneath(folder, path === "" ? entry.name : `${path}/${entry.name}`);
      const usage = await this.#usage(inside, Math.max(0, budget));
      budget -= usage.entries;
      entry.size = usage.bytes;
      entry.size_complete = usage.complete;
    }
  }

  /** A folder's size, counted again only when the last count is older than SIZE_REUSED_MS. */
  async #usage(inside: string, budget: number): Promise<FolderUsage> {
    const known = this.#sizes.get(inside);
    const now = this.now();
    // A complete count that fits the budget, or a cut one the budget would cut as short.
    const fits = known !== undefined &&
      (known.usage.complete ? known.usage.entries <= budget : budget <= known.usage.entries);
    if (known && fits && now - known.at < SIZE_REUSED_MS) return known.usage;
    const usage = await usageBeneath(this.root, inside, budget);
    this.#sizes.delete(inside);
    this.#sizes.set(inside, { usage, at: now });
    if (this.#sizes.size > SIZES_KEPT) this.#sizes.delete(this.#sizes.keys().next().value ?? "");
    return usage;
  }

  #beneath(folder: BrowsedFolder, path: string): string {
    if (folder.base === "") return path;
    return path === "" ? folder.base : `${folder.base}/${path}`;
  }
}

/** A short digest of what the entries are (FNV-1a over kind, name, size and time). */
function versionOf(entries: readonly FolderEntry[]): string {
  let hash = 0x811c9dc5;
  for (const entry of entries) {
    const text = `${entry.kind}\0${entry.name}\0${entry.size}\0${entry.modified}\n`;
    for (let i = 0; i < text.length; i++) {
      hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    }
  }
  return `${entries.length}-${hash.toString(16)}`;
}

/** Folders first, then the newest; ties by name. */
function newestFirst(a: FolderEntry, b: FolderEntry): number {
  const folders = Number(b.kind === "folder") - Number(a.kind === "folder");
  if (folders !== 0) return folders;
  const time = (b.modified ?? "").localeCompare(a.modified ?? "");
  return time !== 0 ? time : a.name.localeCompare(b.name);
}
