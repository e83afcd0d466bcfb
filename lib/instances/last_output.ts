/**
 * The last lines a failed run wrote, for the dashboard row and its toast: read from the tail
 * of the run's log when the DTO is built, cached by the file's size and mtime so a stream of
 * events costs one stat per failed instance.
 */

/** How many lines, and how many bytes at most, are read from the end of the log. */
export const LAST_OUTPUT_LINES = 8;
const TAIL_BYTES = 8192;
const MAX_LINE = 300;

const ANSI_RE =
  // deno-lint-ignore no-control-regex
  /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;
// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** The readable last lines of `text`: colours and control characters removed, `\r` redraws resolved. */
export function lastLines(text: string, count = LAST_OUTPUT_LINES): string[] {
  const lines = text.replace(ANSI_RE, "").split("\n").map((line) => {
    // A progress bar redraws with \r: only what was drawn last is visible.
    const visible = line.split("\r").filter((part) => part.length).at(-1) ?? "";
    const clean = visible.replace(CONTROL_RE, "").trimEnd();
    return clean.length > MAX_LINE ? `${clean.slice(0, MAX_LINE)}…` : clean;
  }).filter((line) => line.trim().length > 0);
  return lines.slice(-count);
}

const cache = new Map<string, { size: number; mtime: number; lines: string[] }>();

/** The last lines of the log at `path`, or null when it cannot be read. */
export function readLastOutput(path: string): string[] | null {
  let file: Deno.FsFile | null = null;
  try {
    const info = Deno.statSync(path);
    const mtime = info.mtime?.getTime() ?? 0;
    const hit = cache.get(path);
    if (hit && hit.size === info.size && hit.mtime === mtime) return hit.lines;
    file = Deno.openSync(path, { read: true });
    const start = Math.max(0, info.size - TAIL_BYTES);
    file.seekSync(start, Deno.SeekMode.Start);
    const buffer = new Uint8Array(info.size - start);
    let read = 0;
    while (read < buffer.length) {
      const n = file.readSync(buffer.subarray(read));
      if (n === null || n === 0) break;
      read += n;
    }
    let text = new TextDecoder().decode(buffer.subarray(0, read));
    // The first line of a cut tail is partial.
    if (start > 0) text = text.slice(text.indexOf("\n") + 1);
    const lines = lastLines(text);
    if (cache.size > 500) cache.clear();
    cache.set(path, { size: info.size, mtime, lines });
    return lines;
  } catch {
    return null;
  } finally {
    file?.close();
  }
}
