import {
  closeFd,
  O_APPEND,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_WRONLY,
} from "./confined_libc.ts";
import {
  openFdBeneath,
  openRootFd,
  PathRefused,
  relativeParts,
  withParent,
  withParentSync,
} from "./resolve_beneath.ts";

/**
 * File operations confined to a root folder: nothing below the root is reached through a
 * symbolic link and nothing outside it is touched (instance folders, trash, outputs and
 * custom blueprints are writable by the apps AiKore runs, possibly as root). Paths are absolute
 * under `root` or relative to it; a refusal is a PathRefused (409 naming the file).
 */

/** How a confined file is opened. */
export type ConfinedOpen = "read" | "append" | "create-append";

/**
 * Opens the regular file `path` beneath `root` as a Deno file (the fd is reopened through /proc,
 * never by name). Anything else is refused without waiting: the open is non-blocking, so a named
 * pipe planted there cannot stall this thread until a writer comes.
 */
export function openBeneathSync(root: string, path: string, how: ConfinedOpen): Deno.FsFile {
  const flags = O_NONBLOCK | O_NOCTTY |
    (how === "read" ? O_RDONLY : O_WRONLY | O_APPEND | (how === "create-append" ? O_CREAT : 0));
  const fd = openFdBeneath(root, path, flags, 0o644);
  try {
    if (!Deno.statSync(`/proc/self/fd/${fd}`).isFile) {
      throw new PathRefused(relativeParts(root, path).join("/"), "it is not a regular file");
    }
    return Deno.openSync(
      `/proc/self/fd/${fd}`,
      how === "read" ? { read: true } : { write: true, append: true },
    );
  } finally {
    closeFd(fd);
  }
}

/**
 * Up to `maxBytes` from the start (`head`) or the end (`tail`) of the regular file `path`
 * beneath `root`, or null when it does not exist. Synchronous and bounded: neither a pipe
 * (refused at once) nor a huge file can hold the thread.
 */
export function readPartBeneathSync(
  root: string,
  path: string,
  maxBytes: number,
  part: "head" | "tail",
): Uint8Array | null {
  const file = openExistingSync(root, path);
  if (file === null) return null;
  try {
    if (part === "tail") {
      const size = file.statSync().size;
      file.seekSync(Math.max(0, size - maxBytes), Deno.SeekMode.Start);
    }
    const buffer = new Uint8Array(maxBytes);
    let filled = 0;
    while (filled < maxBytes) {
      const n = file.readSync(buffer.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return buffer.subarray(0, filled);
  } finally {
    file.close();
  }
}

/** The whole file, or null when it does not exist. */
export async function readBeneath(root: string, path: string): Promise<Uint8Array | null> {
  const file = openExistingSync(root, path);
  if (file === null) return null;
  return new Uint8Array(await new Response(file.readable).arrayBuffer());
}

/** The regular file `path` beneath `root` opened for reading, or null when it does not exist. */
function openExistingSync(root: string, path: string): Deno.FsFile | null {
  try {
    return openBeneathSync(root, path, "read");
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** The file as UTF-8 text, or null when it does not exist. */
export async function readTextBeneath(root: string, path: string): Promise<string | null> {
  const bytes = await readBeneath(root, path);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** Replaces `path` atomically (temp file + rename inside the confined folder). */
export async function writeBeneath(
  root: string,
  path: string,
  content: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  await withParent(root, path, async (dir, name) => {
    const existing = await Deno.lstat(`${dir}/${name}`).catch(() => null);
    if (existing && !existing.isFile) {
      throw new PathRefused(relativeParts(root, path).join("/"), "it is not a regular file");
    }
    const temp = `.${name}.tmp-${crypto.randomUUID()}`;
    const fd = openFdBeneath(dir, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY, mode);
    try {
      const file = Deno.openSync(`/proc/self/fd/${fd}`, { write: true });
      try {
        const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
        await file.sync();
        await Deno.chmod(`/proc/self/fd/${fd}`, mode);
      } finally {
        file.close();
      }
      await Deno.rename(`${dir}/${temp}`, `${dir}/${name}`);
    } catch (error) {
      await Deno.remove(`${dir}/${temp}`).catch(() => {});
      throw error;
    } finally {
      closeFd(fd);
    }
  });
}

/** Creates `path` and its missing parents as real folders, refusing links on the way. */
export async function mkdirBeneath(root: string, path: string): Promise<void> {
  const parts = relativeParts(root, path);
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join("/");
    await withParent(root, sub, async (dir, name) => {
      try {
        await Deno.mkdir(`${dir}/${name}`, { mode: 0o755 });
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        const info = await Deno.lstat(`${dir}/${name}`);
        if (!info.isDirectory) throw new PathRefused(sub, "it is not a real folder");
      }
    });
  }
}

/** Creates `root` itself if needed (the operator's, links allowed), then `path` beneath it. */
export async function ensureDirBeneath(root: string, path: string): Promise<void> {
  await Deno.mkdir(root, { recursive: true });
  await mkdirBeneath(root, path);
}

/** lstat of `path` (a link is reported, never followed), or null when absent. */
export async function lstatBeneath(root: string, path: string): Promise<Deno.FileInfo | null> {
  try {
    return await withParent(root, path, (dir, name) => Deno.lstat(`${dir}/${name}`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** One entry of a listed folder, as lstat saw it: a link is a link, never its target. */
export interface ListedEntry {
  name: string;
  kind: "folder" | "file" | "link" | "other";
  /** Bytes (a file's size; 0 for anything else). */
  size: number;
  /** Last modification, ms since the epoch (null when the entry went while it was listed). */
  modified: number | null;
}

/**
 * The entries of the folder `path` beneath `root` ("" for the root itself), at most `limit`
 * of them (`truncated` when the folder has more), or null when it does not exist. The folder
 * is opened with every component checked (a link on the way is refused); each entry is
 * lstat'ed through that open folder, so a link inside is reported as one and never followed.
 */
export async function listBeneath(
  root: string,
  path: string,
  limit: number,
): Promise<{ entries: ListedEntry[]; truncated: boolean } | null> {
  let fd: number;
  try {
    fd = path === "" ? openRootFd(root) : openFdBeneath(root, path, O_PATH | O_DIRECTORY);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  try {
    const folder = `/proc/self/fd/${fd}`;
    const entries: ListedEntry[] = [];
    let truncated = false;
    for await (const entry of Deno.readDir(folder)) {
      if (entries.length === limit) {
        truncated = true;
        break;
      }
      entries.push(await describe(folder, entry.name));
    }
    return { entries, truncated };
  } finally {
    closeFd(fd);
  }
}

/** Bytes and files under a folder; `complete` is false when the count stopped at its limit. */
export interface FolderUsage {
  bytes: number;
  files: number;
  /** Entries counted (files, folders, links, anything). */
  entries: number;
  complete: boolean;
}

/**
 * What the folder `path` beneath `root` holds, all the way down, counting at most `maxEntries`
 * entries. Each subfolder is opened confined like `listBeneath`: a link is counted as an entry
 * and never followed, and a subfolder swapped for one meanwhile is passed over.
 */
export async function usageBeneath(
  root: string,
  path: string,
  maxEntries: number,
): Promise<FolderUsage> {
  const usage = { bytes: 0, files: 0, entries: 0, complete: true };
  const pending = [path];
  while (pending.length > 0) {
    const folder = pending.pop() as string;
    let listed: Awaited<ReturnType<typeof listBeneath>> = null;
    try {
      listed = await listBeneath(root, folder, maxEntries - usage.entries);
    } catch (error) {
      if (!(error instanceof PathRefused)) throw error;
    }
    if (listed === null) continue;
    for (const entry of listed.entries) {
      usage.entries++;
      if (entry.kind === "file") {
        usage.bytes += entry.size;
        usage.files++;
      } else if (entry.kind === "folder") {
        pending.push(folder === "" ? entry.name : `${folder}/${entry.name}`);
      }
    }
    if (listed.truncated) return { ...usage, complete: false };
  }
  return usage;
}

async function describe(folder: string, name: string): Promise<ListedEntry> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(`${folder}/${name}`);
  } catch {
    return { name, kind: "other", size: 0, modified: null }; // removed meanwhile
  }
  const kind = info.isSymlink
    ? "link"
    : info.isDirectory
    ? "folder"
    : info.isFile
    ? "file"
    : "other";
  return {
    name,
    kind,
    size: kind === "file" ? info.size : 0,
    modified: info.mtime?.getTime() ?? null,
  };
}

/** Renames within `root`; neither end's parent may be reached through a link. */
export async function renameBeneath(root: string, from: string, to: string): Promise<void> {
  await withParent(
    root,
    from,
    (fromDir, fromName) =>
      withParent(
        root,
        to,
        (toDir, toName) => Deno.rename(`${fromDir}/${fromName}`, `${toDir}/${toName}`),
      ),
  );
}

/**
 * Renames `from` to `to` within `root`, unless `to` exists (then Deno.errors.AlreadyExists and
 * nothing changes): a hard link to the new name, then the old name goes. Neither end's parent may
 * be reached through a link.
 */
export async function renameNoReplaceBeneath(
  root: string,
  from: string,
  to: string,
): Promise<void> {
  await withParent(
    root,
    from,
    (fromDir, fromName) =>
      withParent(root, to, async (toDir, toName) => {
        await Deno.link(`${fromDir}/${fromName}`, `${toDir}/${toName}`);
        await Deno.remove(`${fromDir}/${fromName}`);
      }),
  );
}

/** Synchronous renameBeneath (log rotation). */
export function renameBeneathSync(root: string, from: string, to: string): void {
  withParentSync(
    root,
    from,
    (fromDir, fromName) =>
      withParentSync(
        root,
        to,
        (toDir, toName) => Deno.renameSync(`${fromDir}/${fromName}`, `${toDir}/${toName}`),
      ),
  );
}

/** Synchronous removeBeneath of a file or link. */
export function removeBeneathSync(root: string, path: string): void {
  withParentSync(root, path, (dir, name) => Deno.removeSync(`${dir}/${name}`));
}

/** Removes `path` (a link itself, never its target); folders only with `recursive`. */
export async function removeBeneath(
  root: string,
  path: string,
  options: { recursive?: boolean } = {},
): Promise<void> {
  await withParent(root, path, (dir, name) => Deno.remove(`${dir}/${name}`, options));
}
