import { DomainError } from "../shared/domain_error.ts";

/** One matching log line. */
export interface LogMatch {
  file: string;
  line: number;
  text: string;
}

const CHUNK_BYTES = 16 * 1024;
/** Lines are searched and shown up to this many characters; the rest of a longer line is skipped. */
export const MAX_LINE_CHARS = 16 * 1024;
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const BREAK = /\r?\n|\r/;

/** At most `slots` searches at once and `queue` waiting; beyond that a 429, never more memory. */
export class SearchSlots {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(slots: number, private readonly queue: number) {
    this.#free = slots;
  }

  /** Resolves with a release function once a slot is held. */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else if (this.#waiting.length >= this.queue) {
      throw new DomainError("busy", "Too many log searches are running; try again shortly");
    } else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}

/** Line breaks in `text` (`\r\n`, `\r` and `\n` each count once), with native searches only. */
function countBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  if (!text.includes("\r")) return count;
  for (let i = text.indexOf("\r"); i !== -1; i = text.indexOf("\r", i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) count++; // a lone \r; \r\n was counted as its \n
  }
  return count;
}

function plainLower(text: string): string {
  return (text.includes("\x1b") ? text.replace(ANSI, "") : text).toLowerCase();
}

/**
 * Streams the lines of `file` containing `needle` (already lower-case), reading fixed-size
 * chunks so memory stays bounded whatever the file size. A chunk without the needle costs
 * one case-folded copy and a line count; only chunks that match are split into lines, which
 * keeps garbage (and GC pauses on the server) small. The caller closes the file.
 */
export async function* scanFile(
  file: Deno.FsFile,
  name: string,
  needle: string,
): AsyncGenerator<LogMatch> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(CHUNK_BYTES);
  let carry = "";
  let lineNo = 0;
  while (true) {
    const n = await file.read(buffer);
    const eof = n === null;
    let text = carry + (eof ? decoder.decode() : decoder.decode(buffer.subarray(0, n)));
    // A "\r" at a chunk's end may be the first half of "\r\n": decide with the next chunk.
    const hold = !eof && text.endsWith("\r");
    if (hold) text = text.slice(0, -1);
    const end = eof ? text.length : Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r")) + 1;
    const complete = text.slice(0, end);
    carry = text.slice(end);
    if (carry.length > MAX_LINE_CHARS) carry = carry.slice(0, MAX_LINE_CHARS);
    if (hold) carry += "\r";
    if (!plainLower(complete).includes(needle)) {
      lineNo += countBreaks(complete) + (eof && complete !== "" ? 1 : 0);
    } else {
      const lines = complete.split(BREAK);
      if (!eof) lines.pop(); // "" after the last break
      for (const line of lines) {
        lineNo++;
        const plain = line.slice(0, MAX_LINE_CHARS).replace(ANSI, "");
        if (plain.toLowerCase().includes(needle)) yield { file: name, line: lineNo, text: plain };
      }
    }
    if (eof) return;
  }
}
