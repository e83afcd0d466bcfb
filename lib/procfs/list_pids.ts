import { C, type Libc, openPath, tryLibc } from "../libc/mod.ts";

// linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, then the NUL-terminated name.
const RECLEN_OFFSET = 16;
const NAME_OFFSET = 19;
const dirents = new Uint8Array(32 * 1024);

/** The numeric entries of a /proc directory: every process id it shows. */
export function listPids(procRoot = "/proc"): Set<number> {
  const c = tryLibc();
  if (c?.getdents64) {
    const pids = listWithGetdents(c, procRoot);
    if (pids) return pids;
  }
  const pids = new Set<number>();
  for (const entry of Deno.readDirSync(procRoot)) {
    const code = entry.name.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.add(Number(entry.name));
  }
  return pids;
}

function listWithGetdents(c: Libc, procRoot: string): Set<number> | null {
  const getdents64 = c.getdents64;
  const fd = openPath(c, procRoot, C.O_RDONLY_CLOEXEC | C.O_DIRECTORY);
  if (!getdents64 || fd === null || fd < 0) return null;
  const pids = new Set<number>();
  try {
    for (;;) {
      const n = Number(getdents64(fd, dirents, BigInt(dirents.byteLength)));
      if (n < 0) return null;
      if (n === 0) return pids;
      for (let at = 0, reclen = 0; at < n; at += reclen) {
        reclen = readReclen(at);
        if (reclen === 0) return null;
        let pid = 0;
        let i = at + NAME_OFFSET;
        for (let byte = dirents[i] ?? 0; byte >= 48 && byte <= 57; byte = dirents[++i] ?? 0) {
          pid = pid * 10 + byte - 48;
        }
        // Only all-digit names: the NUL follows the last digit.
        if (i > at + NAME_OFFSET && dirents[i] === 0) pids.add(pid);
      }
    }
  } finally {
    c.close(fd);
  }
}

function readReclen(at: number): number {
  return (dirents[at + RECLEN_OFFSET] ?? 0) | ((dirents[at + RECLEN_OFFSET + 1] ?? 0) << 8);
}
