/**
 * AiKore's one binding of the C library: the symbols of the PTY layer and of the /proc reader,
 * opened lazily on first use so that importing this module has no side effects (and needs no
 * --allow-ffi until a PTY is spawned or /proc is read). `libc()` throws a clear error without
 * FFI; `tryLibc()` returns null, for callers that fall back to Deno's file API.
 *
 * /proc reads (2-core VM, per /proc/<pid>/stat): open + read + close over FFI 8–10 µs,
 * Deno.openSync + readSync 16 µs, Deno.readTextFileSync 23 µs; pread on a file kept open 3 µs.
 * getdents64 lists /proc in a fifth of Deno.readDirSync's time.
 */

const SYMBOLS = {
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  // ioctl is variadic; a fixed three-argument declaration matches the x86-64/aarch64 ABI.
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  // glibc 2.30+; other C libraries may lack it, then /proc is listed with Deno.readDirSync.
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize", optional: true },
  __errno_location: { parameters: [], result: "pointer" },
  // One parked poll() serves every terminal (see fd_poller.ts): Deno's pool of threads for
  // nonblocking calls is small, and a parked call per terminal would exhaust it.
  poll_nb: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // A holder hands over its app's pty master by SCM_RIGHTS (lib/holder/take_input.ts).
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  recvmsg_nb: {
    name: "recvmsg",
    parameters: ["i32", "buffer", "i32"],
    result: "isize",
    nonblocking: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  syscall: { parameters: ["i64", "i64", "i64"], result: "i64" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  // prctl is variadic; the two-argument options used here pass the rest as zero.
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addclosefrom_np: { parameters: ["buffer", "i32"], result: "i32" },
  posix_spawn_file_actions_addchdir_np: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  sigfillset: { parameters: ["buffer"], result: "i32" },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened libc symbol table. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Constants from the Linux/glibc headers (x86-64 and aarch64 agree on these). */
export const C = {
  O_RDWR: 0x2,
  O_RDONLY_CLOEXEC: 0o2000000,
  O_DIRECTORY: 0o200000,
  O_NOCTTY: 0x100,
  O_NONBLOCK: 0x800,
  O_CLOEXEC: 0x80000,
  F_GETFL: 3,
  F_SETFL: 4,
  EAGAIN: 11,
  EINTR: 4,
  WNOHANG: 1,
  PR_SET_CHILD_SUBREAPER: 36,
  PR_GET_CHILD_SUBREAPER: 37,
  POLLIN: 0x1,
  POLLOUT: 0x4,
  POLLERR: 0x8,
  POLLHUP: 0x10,
  POLLNVAL: 0x20,
  AF_UNIX: 1,
  SOCK_STREAM: 1,
  SOCK_CLOEXEC: 0x80000,
  SOCK_NONBLOCK: 0x800,
  SOL_SOCKET: 1,
  SO_RCVTIMEO: 20,
  SCM_RIGHTS: 1,
  MSG_CMSG_CLOEXEC: 0x40000000,
  EFD_NONBLOCK: 0x800,
  EFD_CLOEXEC: 0x80000,
  /** pidfd_open(2): the same number in the unified syscall table of x86-64 and aarch64. */
  SYS_PIDFD_OPEN: 434n,
  TIOCSWINSZ: 0x5414n,
  FIONREAD: 0x541bn,
  POSIX_SPAWN_SETSIGDEF: 0x04,
  POSIX_SPAWN_SETSIGMASK: 0x08,
  POSIX_SPAWN_SETSID: 0x80,
  /** Generous sizes for opaque glibc structs (real: 80, 336 and 128 bytes). */
  FILE_ACTIONS_SIZE: 256,
  SPAWNATTR_SIZE: 512,
  SIGSET_SIZE: 128,
} as const;

let library: Deno.DynamicLibrary<typeof SYMBOLS> | null = null;

let openError: string | null = null;

/** Opens libc on first call and returns its symbols; throws a clear error without --allow-ffi. */
export function libc(): Libc {
  const symbols = tryLibc();
  if (symbols === null) {
    throw new Error(`Cannot open libc.so.6 (needs --allow-ffi): ${openError}`);
  }
  return symbols;
}

/** libc's symbols, or null when FFI is not permitted (the caller falls back to Deno's API). */
export function tryLibc(): Libc | null {
  if (library === null && openError === null) {
    try {
      library = Deno.dlopen("libc.so.6", SYMBOLS);
    } catch (error) {
      openError = error instanceof Error ? error.message : String(error);
    }
  }
  return library?.symbols ?? null;
}

/** Reads errno; valid only right after a synchronous (not `nonblocking`) libc call. */
export function lastErrno(): number {
  const pointer = libc().__errno_location();
  if (pointer === null) return 0;
  return new Deno.UnsafePointerView(pointer).getInt32();
}

const encoder = new TextEncoder();

/** A NUL-terminated copy of `text` for passing to C. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = encoder.encode(text);
  const buffer = new Uint8Array(bytes.length + 1);
  buffer.set(bytes);
  return buffer;
}

/**
 * A NULL-terminated `char *[]` pointing at `strings`. The returned `keep` array must stay
 * referenced until C is done with the pointers, or the GC may free the strings.
 */
export function cStringArray(
  strings: readonly string[],
): { array: BigUint64Array<ArrayBuffer>; keep: Uint8Array[] } {
  const keep = strings.map(cString);
  const array = new BigUint64Array(keep.length + 1);
  keep.forEach((bytes, index) => {
    array[index] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
  });
  return { array, keep };
}

const pathBuffer = new Uint8Array(4096);

/**
 * `open(path, flags)` with a reused path buffer (the /proc hot path): a file descriptor or -1;
 * null when the path is too long for the buffer.
 */
export function openPath(c: Libc, path: string, flags: number): number | null {
  const { written } = encoder.encodeInto(path, pathBuffer.subarray(0, pathBuffer.byteLength - 1));
  if (written >= pathBuffer.byteLength - 1) return null;
  pathBuffer[written] = 0;
  return c.open(pathBuffer, flags);
}
