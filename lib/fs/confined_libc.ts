/**
 * The libc calls behind confined path resolution: openat2 (Linux 5.6+) through syscall(2), and
 * openat for the per-component fallback. Flag values are Linux's; two differ on arm64.
 */
const SYMBOLS = {
  syscall: { parameters: ["i64", "i64", "buffer", "buffer", "usize"], result: "i64" },
  openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Symbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const ARM = Deno.build.arch === "aarch64";
export const O_RDONLY = 0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_NONBLOCK = 0o4000;
export const ENXIO = 6;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_DIRECTORY = ARM ? 0o40000 : 0o200000;
export const O_NOFOLLOW = ARM ? 0o100000 : 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
const AT_FDCWD = -100;
const SYS_OPENAT2 = 437;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_NO_SYMLINKS = 0x04;
const RESOLVE_BENEATH = 0x08;

export const ENOENT = 2;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const ENOSYS = 38;
export const ELOOP = 40;

let symbols: Symbols | null = null;
let openat2Supported: boolean | null = null;
let forceFallback = false;
const encoder = new TextEncoder();

function lib(): Symbols {
  if (symbols === null) {
    try {
      symbols = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot open libc.so.6 for confined file access (needs --allow-ffi): ${why}`);
    }
  }
  return symbols;
}

function cPath(text: string): Uint8Array<ArrayBuffer> {
  const bytes = encoder.encode(text);
  const buffer = new Uint8Array(bytes.length + 1);
  buffer.set(bytes);
  return buffer;
}

/** errno of the libc call just made (synchronous FFI keeps it intact). */
function errno(): number {
  const pointer = lib().__errno_location();
  return pointer === null ? 0 : new Deno.UnsafePointerView(pointer).getInt32();
}

/** A file descriptor, or the errno of the failure. */
export type FdResult = { fd: number; errno: 0 } | { fd: -1; errno: number };

function result(fd: number): FdResult {
  return fd >= 0 ? { fd, errno: 0 } : { fd: -1, errno: errno() };
}

/** Plain open(2) relative to the cwd (the confinement root itself; links there are trusted). */
export function openRoot(path: string): FdResult {
  return result(lib().openat(AT_FDCWD, cPath(path), O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
}

/** openat(2) without following a trailing link. */
export function openatNoFollow(dirFd: number, name: string, flags: number, mode: number): FdResult {
  return result(lib().openat(dirFd, cPath(name), flags | O_NOFOLLOW | O_CLOEXEC, mode));
}

function rawOpenat2(dirFd: number, path: string, flags: number, mode: number, resolve: number) {
  const how = new BigUint64Array([BigInt(flags), BigInt(mode), BigInt(resolve)]);
  const fd = Number(
    lib().syscall(BigInt(SYS_OPENAT2), BigInt(dirFd), cPath(path), new Uint8Array(how.buffer), 24n),
  );
  return result(fd);
}

/** openat2 beneath `dirFd`, no symlink anywhere; null when the kernel lacks openat2. */
export function openat2Beneath(
  dirFd: number,
  path: string,
  flags: number,
  mode: number,
): FdResult | null {
  if (!hasOpenat2()) return null;
  const resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const creating = (flags & O_CREAT) !== 0;
  return rawOpenat2(dirFd, path, flags | O_CLOEXEC, creating ? mode : 0, resolve);
}

/** Whether openat2 works here (probed once; seccomp filters may answer ENOSYS or EPERM). */
export function hasOpenat2(): boolean {
  if (forceFallback) return false;
  if (openat2Supported === null) {
    const probe = rawOpenat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
    openat2Supported = probe.fd >= 0;
    if (probe.fd >= 0) closeFd(probe.fd);
  }
  return openat2Supported;
}

/** Tests only: resolve with the per-component openat fallback even where openat2 exists. */
export function useFallbackForTests(on: boolean): void {
  forceFallback = on;
}

export function closeFd(fd: number): void {
  lib().close(fd);
}
