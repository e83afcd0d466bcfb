import { join } from "node:path";
import { isSameProcess } from "../process/mod.ts";
import type { HolderExit } from "./protocol.ts";
import {
  type HolderRecord,
  isLiveHolder,
  readExitRecord,
  readHolderRecord,
} from "./holder_record.ts";
import { type HolderHandle, holderHandle } from "./spawn_holder.ts";

/** What a runtime folder says about its holder. */
export type FoundHolder =
  /** The holder is alive (identity checked); `appAlive` says whether its app still runs. */
  | { state: "running"; dir: string; handle: HolderHandle; appAlive: boolean }
  /** The app ended and its holder exited; the exit it recorded. */
  | { state: "exited"; dir: string; record: HolderRecord; exit: HolderExit }
  /** The holder is gone without an exit record (killed); its app may have strays left. */
  | { state: "lost"; dir: string; record: HolderRecord }
  /** holder.json could not be read. */
  | { state: "unreadable"; dir: string; error: string };

/**
 * Every holder record in the folders directly under `runtimeRoot` (one per instance),
 * classified with an identity check: a pid is trusted only when its /proc start time and
 * marker match the record, never because something with that pid exists.
 */
export function findHolders(runtimeRoot: string): FoundHolder[] {
  const found: FoundHolder[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(runtimeRoot)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (
    const entry of entries.filter((e) => e.isDirectory).sort((a, b) => a.name < b.name ? -1 : 1)
  ) {
    const dir = join(runtimeRoot, entry.name);
    const holder = inspectHolder(dir);
    if (holder) found.push(holder);
  }
  return found;
}

/** Classifies one runtime folder; null when it has no holder record. */
export function inspectHolder(dir: string): FoundHolder | null {
  let record: HolderRecord | null;
  try {
    record = readHolderRecord(dir);
  } catch (error) {
    return { state: "unreadable", dir, error: (error as Error).message };
  }
  if (record === null) return null;
  if (isLiveHolder(record)) {
    const appAlive = isSameProcess(record.appPid, record.appStartTicks, record.marker);
    return { state: "running", dir, handle: holderHandle(dir, record), appAlive };
  }
  let exit: ReturnType<typeof readExitRecord> = null;
  try {
    exit = readExitRecord(dir);
  } catch (error) {
    return { state: "unreadable", dir, error: (error as Error).message };
  }
  if (exit && exit.appPid === record.appPid) {
    return {
      state: "exited",
      dir,
      record,
      exit: { code: exit.code, signal: exit.signal, endedAt: exit.endedAt },
    };
  }
  return { state: "lost", dir, record };
}
