import { dirname, join } from "node:path";
import { readPartBeneathSync } from "../fs/mod.ts";
import { type DesktopLease, parseLease } from "./desktop_lease.ts";
import { removeDeadXFiles } from "./x_display_files.ts";

/** Folder of the display leases and their lock. */
export const leaseFolder = (dataDir: string) => join(dataDir, "desktops");
const leaseFile = (dataDir: string, display: number) =>
  join(leaseFolder(dataDir), `display-${display}.json`);

/**
 * Runs `task` holding an exclusive flock on `<data>/desktops/alloc.lock`: two AiKore
 * processes (or two starts in one) never reserve at the same time, and the kernel drops the
 * lock if its holder dies, so a crash never leaves it held.
 */
export async function withLeaseLock<T>(dataDir: string, task: () => Promise<T> | T): Promise<T> {
  await Deno.mkdir(leaseFolder(dataDir), { recursive: true, mode: 0o700 });
  const file = await Deno.open(join(leaseFolder(dataDir), "alloc.lock"), {
    create: true,
    write: true,
    mode: 0o600,
  });
  try {
    await file.lock(true);
    return await task();
  } finally {
    file.close(); // closing the descriptor releases the flock
  }
}

/** A lease file found on disk: its display and its content (null when unreadable/invalid). */
export interface LeaseEntry {
  display: number;
  path: string;
  lease: DesktopLease | null;
}

/** A lease is a few hundred bytes of JSON; a larger file is not one. */
const LEASE_MAX_BYTES = 64 * 1024;

/** A lease file's text; "" when missing or not a plain file (a link or pipe is not waited on). */
function readLeaseText(path: string): string {
  try {
    const bytes = readPartBeneathSync(dirname(path), path, LEASE_MAX_BYTES, "head");
    return bytes === null ? "" : new TextDecoder().decode(bytes);
  } catch {
    return "";
  }
}

/** Every lease file in the data dir. Call inside withLeaseLock for a consistent view. */
export async function readLeases(dataDir: string): Promise<LeaseEntry[]> {
  const entries: LeaseEntry[] = [];
  try {
    for await (const entry of Deno.readDir(leaseFolder(dataDir))) {
      const match = /^display-(\d{1,5})\.json$/.exec(entry.name);
      if (!match) continue;
      const path = join(leaseFolder(dataDir), entry.name);
      const lease = parseLease(readLeaseText(path));
      entries.push({
        display: Number(match[1]),
        path,
        lease: lease?.display === Number(match[1]) ? lease : null,
      });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return entries.sort((a, b) => a.display - b.display);
}

/** Writes a lease atomically (temp + rename). Call inside withLeaseLock. */
export async function writeLease(dataDir: string, lease: DesktopLease): Promise<void> {
  const path = leaseFile(dataDir, lease.display);
  const temp = `${path}.${lease.leaseId}.tmp`;
  await Deno.writeTextFile(temp, JSON.stringify(lease, null, 2) + "\n", { mode: 0o600 });
  await Deno.rename(temp, path);
}

/**
 * Drops a lease file (inside withLeaseLock) only when it still holds `leaseId`, and the X
 * lock/socket its killed server left. Returns false when the file held another lease.
 */
export async function removeLease(entry: LeaseEntry, leaseId?: string) {
  const current = parseLease(readLeaseText(entry.path));
  if (leaseId !== undefined && current?.leaseId !== leaseId) return false;
  const server = current?.processes.find((p) => p.role === "xserver");
  if (server) removeDeadXFiles(entry.display, server.pid);
  await Deno.remove(entry.path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  return true;
}
