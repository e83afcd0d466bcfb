import { DomainError } from "../shared/domain_error.ts";
import {
  closeFd,
  EEXIST,
  EISDIR,
  ELOOP,
  ENOENT,
  ENOTDIR,
  ENXIO,
  EXDEV,
  type FdResult,
  O_DIRECTORY,
  O_PATH,
  O_RDONLY,
  openat2Beneath,
  openatNoFollow,
  openRoot,
} from "./confined_libc.ts";

/** 409 for a path that is a link, leaves its root or is not the expected kind of file. */
export class PathRefused extends DomainError {
  constructor(readonly file: string, reason: string) {
    super("conflict", `Refusing to use "${file}": ${reason}`, { file }, "unsafe_path");
    this.name = "PathRefused";
  }
}

/** `path` (absolute under `root`, or relative to it) as checked relative components. */
export function relativeParts(root: string, path: string): string[] {
  const base = root.replace(/\/+$/, "");
  let rel = path;
  if (path.startsWith("/")) {
    if (!path.startsWith(`${base}/`)) throw new PathRefused(path, `it is not inside ${base}`);
    rel = path.slice(base.length + 1);
  }
  const parts = rel.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.length === 0 || parts.includes("..")) {
    throw new PathRefused(path, `it does not name a file inside ${base}`);
  }
  return parts;
}

function fail(file: string, errno: number): never {
  if (errno === ENOENT) throw new Deno.errors.NotFound(`No such file: ${file}`);
  if (errno === EEXIST) throw new Deno.errors.AlreadyExists(`Already exists: ${file}`);
  if (errno === ELOOP || errno === EXDEV) {
    throw new PathRefused(file, "it is (or goes through) a symbolic link");
  }
  if (errno === ENOTDIR) throw new PathRefused(file, "a part of its path is not a folder");
  if (errno === EISDIR) throw new PathRefused(file, "it is a folder");
  // O_NONBLOCK write-open of a named pipe nobody reads
  if (errno === ENXIO) throw new PathRefused(file, "it is not a regular file");
  throw new Error(`Cannot open ${file}: errno ${errno}`);
}

/** Per-component walk for kernels without openat2: every step is O_NOFOLLOW on a folder fd. */
function walk(rootFd: number, parts: string[], flags: number, mode: number): FdResult {
  let dirFd = rootFd;
  try {
    for (const part of parts.slice(0, -1)) {
      const next = openatNoFollow(dirFd, part, O_RDONLY | O_DIRECTORY, 0);
      if (dirFd !== rootFd) closeFd(dirFd);
      if (next.fd < 0) return next;
      dirFd = next.fd;
    }
    // O_PATH with O_NOFOLLOW would open the link itself: open folders for reading instead.
    const finalFlags = (flags & O_PATH) !== 0 ? (flags & ~O_PATH) | O_RDONLY : flags;
    return openatNoFollow(dirFd, parts[parts.length - 1] ?? ".", finalFlags, mode);
  } finally {
    if (dirFd !== rootFd) closeFd(dirFd);
  }
}

/**
 * Opens `path` beneath `root` with open(2) `flags`, following no symbolic link below `root`
 * (the root itself is the operator's and may be one). Returns a raw fd the caller closes.
 * Throws NotFound, AlreadyExists or PathRefused.
 */
export function openFdBeneath(root: string, path: string, flags: number, mode = 0o644): number {
  const parts = relativeParts(root, path);
  const rootFd = openRoot(root);
  if (rootFd.fd < 0) fail(root, rootFd.errno);
  try {
    const opened = openat2Beneath(rootFd.fd, parts.join("/"), flags, mode) ??
      walk(rootFd.fd, parts, flags, mode);
    if (opened.fd < 0) fail(parts.join("/"), opened.errno);
    return opened.fd;
  } finally {
    closeFd(rootFd.fd);
  }
}

/** Runs `use` with a /proc path that names the confined parent folder of `path` and its name. */
export async function withParent<T>(
  root: string,
  path: string,
  use: (dirPath: string, name: string) => Promise<T>,
): Promise<T> {
  const parts = relativeParts(root, path);
  const name = parts.pop() as string;
  const fd = parts.length === 0
    ? openRootFd(root)
    : openFdBeneath(root, parts.join("/"), O_PATH | O_DIRECTORY);
  try {
    return await use(`/proc/self/fd/${fd}`, name);
  } finally {
    closeFd(fd);
  }
}

/** Synchronous withParent. */
export function withParentSync<T>(
  root: string,
  path: string,
  use: (dirPath: string, name: string) => T,
): T {
  const parts = relativeParts(root, path);
  const name = parts.pop() as string;
  const fd = parts.length === 0
    ? openRootFd(root)
    : openFdBeneath(root, parts.join("/"), O_PATH | O_DIRECTORY);
  try {
    return use(`/proc/self/fd/${fd}`, name);
  } finally {
    closeFd(fd);
  }
}

/** Opens the root folder itself (the operator's: a link there is followed). */
export function openRootFd(root: string): number {
  const opened = openRoot(root);
  if (opened.fd < 0) fail(root, opened.errno);
  return opened.fd;
}
