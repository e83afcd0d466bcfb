/**
 * Small procfs/cgroupfs file reads, synchronous on purpose: these file systems are generated in
 * memory and never wait on a disk. libc is used when FFI is permitted (lib/libc), Deno's file
 * API otherwise.
 */
import { C, type Libc, openPath, tryLibc } from "../libc/mod.ts";

const decoder = new TextDecoder();
let buffer = new Uint8Array(16 * 1024);

/** The file's bytes in a shared buffer valid until the next read, or null when missing or unreadable. */
export function readBytes(path: string): Uint8Array | null {
  const c = tryLibc();
  const fd = c ? openPath(c, path, C.O_RDONLY_CLOEXEC) : null;
  if (c && fd !== null) return fd < 0 ? null : readFd(c, fd);
  return readWithDeno(path);
}

/** The file's text, or null when it is missing or unreadable. */
export function readText(path: string): string | null {
  const bytes = readBytes(path);
  return bytes && decoder.decode(bytes);
}

function grow(length: number): void {
  if (length < buffer.byteLength) return;
  const bigger = new Uint8Array(buffer.byteLength * 2);
  bigger.set(buffer);
  buffer = bigger;
}

function readFd(c: Libc, fd: number): Uint8Array | null {
  try {
    let length = 0;
    for (;;) {
      grow(length);
      const n = Number(c.read(fd, buffer.subarray(length), BigInt(buffer.byteLength - length)));
      if (n < 0) return null;
      if (n === 0) return buffer.subarray(0, length);
      length += n;
    }
  } finally {
    c.close(fd);
  }
}

function readWithDeno(path: string): Uint8Array | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path);
  } catch {
    return null;
  }
  try {
    let length = 0;
    for (;;) {
      grow(length);
      const n = file.readSync(buffer.subarray(length));
      if (n === null || n === 0) return buffer.subarray(0, length);
      length += n;
    }
  } catch {
    return null;
  } finally {
    file.close();
  }
}

/** The first line of a file as a number, or null. */
export function readNumber(path: string): number | null {
  const text = readText(path)?.trim();
  if (text === undefined || text === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** Whether `path` is a directory. */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
