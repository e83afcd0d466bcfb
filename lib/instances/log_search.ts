import { HttpError } from "../shared/http_error.ts";

/** One matching log line. */
export interface LogMatch {
  file: string;
  line: number;
  text: string;
}

const CHUNK_BYTES = 64 * 1024;
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
      throw new HttpError(429, "Too many log searches are running; try again shortly");
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

/**
 * Streams the lines of `file` containing `needle` (already lower-case), reading fixed-size
 * chunks so memory stays bounded whatever the file size. The caller closes the file.
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
    const lines = text.split(BREAK);
    carry = eof ? "" : (lines.pop() ?? "");
    if (carry.length > MAX_LINE_CHARS) carry = carry.slice(0, MAX_LINE_CHARS);
    if (hold) carry += "\r";
    for (const line of lines) {
      lineNo++;
      const plain = line.slice(0, MAX_LINE_CHARS).replace(ANSI, "");
      if (plain.toLowerCase().includes(needle)) yield { file: name, line: lineNo, text: plain };
    }
    if (eof) return;
  }
}
