import { isAbsolute, resolve } from "node:path";
import { assertMarker, type LaunchPlan, MARKER_VARIABLE } from "../process/mod.ts";

/** A launch plan as a holder runs it: the plan plus the runtime folder and buffer sizes. */
export interface HolderPlan extends Omit<LaunchPlan, "logPath"> {
  /** The log file, rotated by size; null: no log, the output is kept in memory only. */
  logPath: string | null;
  /** The instance's runtime folder (made private, 0700): socket, identity and exit records. */
  dir: string;
  /** Per log file (default 50 MiB). */
  logMaxBytes?: number;
  /** Rotated log files kept (default 2: at most three files on disk). */
  logKeep?: number;
  /** Output kept in the holder's memory for replay on attach (default 1 MiB). */
  scrollbackBytes?: number;
}

const MAGIC = "aikore-holder-spec/1";
const encoder = new TextEncoder();

/**
 * The spec file the holder reads: the magic, then key\0value\0 pairs. argv and env entries are
 * separate values, so nothing is ever pasted into shell text. Throws a TypeError naming the
 * field on bad input.
 */
export function encodeLaunchSpec(plan: HolderPlan): Uint8Array {
  assertMarker(plan.marker);
  if (plan.argv.length === 0 || plan.argv[0] === "") {
    throw new TypeError("Cannot start a holder: argv is empty");
  }
  for (const [field, path] of [["dir", plan.dir], ["logPath", plan.logPath]] as const) {
    if (path !== null && !isAbsolute(path)) {
      throw new TypeError(`Holder plan: ${field} must be absolute: ${path}`);
    }
  }
  const env = { TERM: "xterm-256color", ...plan.env, [MARKER_VARIABLE]: plan.marker };
  const pairs: [string, string][] = [
    ["dir", plan.dir],
    ["marker", plan.marker],
    ...(plan.logPath === null ? [] : [["log", plan.logPath] as [string, string]]),
    ["cwd", resolve(plan.cwd)], // the holder runs from "/": relative means relative to AiKore
  ];
  const numbers = {
    cols: plan.cols,
    rows: plan.rows,
    log_max: plan.logMaxBytes,
    log_keep: plan.logKeep,
    scrollback: plan.scrollbackBytes,
  };
  for (const [key, value] of Object.entries(numbers)) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new TypeError(`Holder plan: ${key} must be a whole number, got ${value}`);
    }
    pairs.push([key, String(value)]);
  }
  for (const arg of plan.argv) pairs.push(["arg", arg]);
  for (const [name, value] of Object.entries(env)) {
    if (name === "" || name.includes("=")) {
      throw new TypeError(`Holder plan: bad environment variable name ${JSON.stringify(name)}`);
    }
    pairs.push(["env", `${name}=${value}`]);
  }
  const parts = [MAGIC, ...pairs.flat()];
  for (const part of parts) {
    if (part.includes("\0")) {
      throw new TypeError(`Holder plan: NUL byte in ${JSON.stringify(part)}`);
    }
  }
  return encoder.encode(parts.join("\0") + "\0");
}
