/**
 * The libc calls behind procfs reads. Per /proc/<pid>/stat (2-core VM): open + read + close over
 * FFI 8–10 µs, Deno.openSync + readSync 16 µs, Deno.readTextFileSync 23 µs; pread on a file kept
 * open 3 µs. getdents64 lists /proc in a fifth of Deno.readDirSync's time.
 */
const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  // glibc 2.30+; other C libraries may lack it, then /proc is listed with Deno.readDirSync.
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize", optional: true },
} as const;

/** The bound libc functions. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

export const O_RDONLY_CLOEXEC = 0o2000000;
export const O_DIRECTORY = 0o200000;

let libc: Libc | null | undefined;
const encoder = new TextEncoder();
const pathBuffer = new Uint8Array(4096);

/** libc, or null when FFI is not permitted (then callers use Deno's file API). */
export function getLibc(): Libc | null {
  if (libc === undefined) {
    try {
      libc = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
    } catch {
      libc = null;
    }
  }
  return libc;
}

/** `open(path, flags)`: a file descriptor or -1; null when the path is too long for the buffer. */
export function openPath(c: Libc, path: string, flags: number): number | null {
  const { written } = encoder.encodeInto(path, pathBuffer.subarray(0, pathBuffer.byteLength - 1));
  if (written >= pathBuffer.byteLength - 1) return null;
  pathBuffer[written] = 0;
  return c.open(pathBuffer, flags);
}
