import { join } from "node:path";
import { readPidStat as readProcStat } from "../procfs/mod.ts";
import type { HolderExit } from "./protocol.ts";

/** The environment variable that tags a holder process (not the marker: a sweep of the
 * instance's processes must not kill the holder that reports their exit). */
export const HOLDER_MARKER_VARIABLE = "AIKORE_HOLDER";

/** What a holder writes to holder.json once its app runs. */
export interface HolderRecord {
  marker: string;
  holderPid: number;
  /** /proc start time of the holder: with the pid and marker it survives pid reuse checks. */
  holderStartTicks: number;
  appPid: number;
  appStartTicks: number;
  /** ms since the epoch. */
  startedAt: number;
}

/** The holder's files inside an instance's runtime folder. */
export function holderPaths(dir: string) {
  return {
    socket: join(dir, "holder.sock"),
    record: join(dir, "holder.json"),
    exit: join(dir, "exit.json"),
  };
}

function readJson(path: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const value: unknown = JSON.parse(text);
  if (typeof value !== "object" || value === null) throw new Error(`${path}: not an object`);
  return value as Record<string, unknown>;
}

function whole(record: Record<string, unknown>, key: string, path: string): number {
  const value = record[key];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${path}: ${key} must be a whole number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Reads holder.json; null when there is none; throws naming the file when it is malformed. */
export function readHolderRecord(dir: string): HolderRecord | null {
  const path = holderPaths(dir).record;
  const raw = readJson(path);
  if (raw === null) return null;
  if (raw.format !== 1 || typeof raw.marker !== "string") {
    throw new Error(`${path}: unknown format or missing marker`);
  }
  return {
    marker: raw.marker,
    holderPid: whole(raw, "holderPid", path),
    holderStartTicks: whole(raw, "holderStartTicks", path),
    appPid: whole(raw, "appPid", path),
    appStartTicks: whole(raw, "appStartTicks", path),
    startedAt: whole(raw, "startedAt", path),
  };
}

/** Reads exit.json (written when the app ended); null when there is none. */
export function readExitRecord(dir: string): (HolderExit & { appPid: number }) | null {
  const path = holderPaths(dir).exit;
  const raw = readJson(path);
  if (raw === null) return null;
  const nullable = (key: string) => (raw[key] === null ? null : whole(raw, key, path));
  return {
    appPid: whole(raw, "appPid", path),
    code: nullable("code"),
    signal: nullable("signal"),
    endedAt: whole(raw, "endedAt", path),
  };
}

const latin1 = new TextDecoder("latin1");

/** True when /proc/<pid>/environ holds exactly NAME=value. */
export function hasEnvEntry(pid: number, name: string, value: string): boolean {
  try {
    const environ = latin1.decode(Deno.readFileSync(`/proc/${pid}/environ`));
    return environ.split("\0").includes(`${name}=${value}`);
  } catch {
    return false;
  }
}

/**
 * True only when the record's holder is alive, started at the recorded time and carries the
 * holder marker: a pid the kernel reused for anything else fails at least one of the three.
 */
export function isLiveHolder(record: HolderRecord): boolean {
  if (record.holderPid <= 1) return false;
  const stat = readProcStat(record.holderPid);
  if (stat === null || stat.state === "Z" || stat.state === "X") return false;
  return stat.startTicks === record.holderStartTicks &&
    hasEnvEntry(record.holderPid, HOLDER_MARKER_VARIABLE, record.marker);
}

/** Removes the records of a holder that is gone, once AiKore has taken note of its exit. */
export function clearHolderRecords(dir: string): void {
  const paths = holderPaths(dir);
  for (const path of [paths.exit, paths.record, paths.socket]) {
    try {
      Deno.removeSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
