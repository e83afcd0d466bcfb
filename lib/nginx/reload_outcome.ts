import { concatBytes } from "../shared/bytes.ts";

/** What the error log says about a reload that was signalled. */
export type ReloadOutcome =
  | { state: "pending" }
  | { state: "ok"; oldWorkersStopping: number }
  | { state: "failed"; message: string };

const LEVEL_RE = /\[(emerg|alert|crit)\] (\d+)#\d+: (.*)$/;

/**
 * Reads the error-log lines written since SIGHUP. NGINX logs `start worker processes` once
 * the new config is live, or [emerg] lines and keeps the old one (a bind() failure is retried
 * for ~2.5 s before `still could not bind()`). Only the master's own errors count: a worker's
 * [crit] about one request says nothing about the reload.
 */
export function reloadOutcome(logText: string, masterPid: number): ReloadOutcome {
  const lines = logText.split("\n");
  const errors: string[] = [];
  let started = false;
  let stopping = 0;
  let retrying = false;
  for (const line of lines) {
    if (line.includes(` ${masterPid}#`) && line.includes("start worker processes")) started = true;
    if (line.includes("gracefully shutting down")) stopping += 1;
    const match = LEVEL_RE.exec(line);
    if (!match || Number(match[2]) !== masterPid) continue;
    const message = match[3] ?? "";
    retrying = /^bind\(\) to .* failed/.test(message);
    if (!errors.includes(message)) errors.push(message);
  }
  if (started) return { state: "ok", oldWorkersStopping: stopping };
  if (errors.length > 0 && !retrying) return { state: "failed", message: errors.join("\n") };
  return { state: "pending" };
}

/** The text appended to `path` after byte `offset` (empty when nothing was). */
export async function readLogFrom(path: string, offset: number): Promise<string> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.seek(offset, Deno.SeekMode.Start);
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(16384);
    while (true) {
      const n = await file.read(buffer);
      if (n === null || n === 0) break;
      chunks.push(buffer.slice(0, n));
    }
    return new TextDecoder().decode(concatBytes(chunks));
  } finally {
    file.close();
  }
}

/** Current size of `path` in bytes (0 when missing). */
export async function logSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

/** The last `maxLines` lines of the log written after `offset`, for error messages. */
export async function logTail(path: string, offset: number, maxLines = 8): Promise<string> {
  const text = await readLogFrom(path, offset).catch(() => "");
  return text.trimEnd().split("\n").slice(-maxLines).join("\n");
}
