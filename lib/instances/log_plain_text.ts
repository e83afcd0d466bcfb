/**
 * A log as the text a terminal left on screen: colours and other escape sequences removed,
 * progress bars redrawn with `\r` (or erased with `ESC [ K`) reduced to their last state, other
 * control characters dropped. The one owner of that reading: the plain-text downloads and the
 * last lines a failed run shows on its row use it alike.
 *
 * Line by line only: cursor moves up or down (multi-line progress displays) are ignored, so what
 * such a display drew shows as its successive states.
 */

/** A line longer than this (no newline in sight) is cut, so memory stays bounded. */
export const MAX_PLAIN_LINE = 16 * 1024;
/** Farthest column a cursor move may reach (a hostile `ESC [ 99999 G` pads no further). */
const MAX_COLUMN = 1024;

type State = "text" | "escape" | "csi" | "string" | "string-escape";

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** C1 controls that open a string ended by BEL or ST (OSC, DCS, SOS, PM, APC). */
const STRING_OPENERS = new Set(["\u009d", "\u0090", "\u0098", "\u009e", "\u009f"]);

/** Feeds on decoded output, returns finished lines; keeps the unfinished one and any open sequence. */
export class PlainTextLines {
  #line = "";
  #cursor = 0;
  #state: State = "text";
  #params = "";

  /** Finished lines of `text` (each ends with "\n"), given what came before. */
  push(text: string): string {
    let out = "";
    let at = 0;
    while (at < text.length) {
      if (this.#state !== "text") {
        out += this.#sequence(text[at] as string);
        at++;
        continue;
      }
      CONTROL.lastIndex = at;
      const found = CONTROL.exec(text);
      const end = found ? found.index : text.length;
      if (end > at) out += this.#write(text.slice(at, end));
      if (!found) break;
      out += this.#control(found[0]);
      at = end + 1;
    }
    return out;
  }

  /** The unfinished last line, if it holds anything (no newline added). */
  end(): string {
    const line = this.#line;
    this.#line = "";
    this.#cursor = 0;
    this.#state = "text";
    return line;
  }

  #write(run: string): string {
    const line = this.#line;
    if (this.#cursor === line.length) this.#line = line + run;
    else {
      const padded = this.#cursor > line.length ? line.padEnd(this.#cursor) : line;
      this.#line = padded.slice(0, this.#cursor) + run + padded.slice(this.#cursor + run.length);
    }
    this.#cursor += run.length;
    if (this.#line.length <= MAX_PLAIN_LINE) return "";
    return this.#newline();
  }

  #newline(): string {
    const line = `${this.#line}\n`;
    this.#line = "";
    this.#cursor = 0;
    return line;
  }

  #control(char: string): string {
    switch (char) {
      case "\n":
        return this.#newline();
      case "\r":
        this.#cursor = 0;
        return "";
      case "\b":
        this.#cursor = Math.max(0, this.#cursor - 1);
        return "";
      case "\t":
        return this.#write("\t");
      case "\u001b":
        this.#state = "escape";
        return "";
      case "\u009b":
        this.#state = "csi";
        this.#params = "";
        return "";
      default:
        if (STRING_OPENERS.has(char)) this.#state = "string";
        return ""; // other controls leave nothing on screen
    }
  }

  /** One character inside an escape sequence. */
  #sequence(char: string): string {
    if (char < " " && char !== "\u001b" && (this.#state === "escape" || this.#state === "csi")) {
      this.#state = "text"; // a control inside a sequence acts, and ends it
      return this.#control(char);
    }
    switch (this.#state) {
      case "escape":
        if (char === "[") {
          this.#state = "csi";
          this.#params = "";
        } else if ("]PX^_".includes(char)) this.#state = "string";
        else if (char > "/") this.#state = "text"; // ESC 7, ESC =, ESC ( B …
        return ""; // an intermediate (ESC ( …) waits for its final character
      case "csi": {
        const code = char.charCodeAt(0);
        if (code >= 0x40 && code <= 0x7e) {
          this.#state = "text";
          this.#csi(char);
        } else if (char === "\u001b") this.#state = "escape";
        else if (code >= 0x20 && code <= 0x3f && this.#params.length < 32) this.#params += char;
        return "";
      }
      case "string":
        if (char === "\u0007" || char === "\u009c") this.#state = "text";
        else if (char === "\u001b") this.#state = "string-escape";
        return "";
      default: // "string-escape": ESC \ (ST) ends the string; ESC and another character start a sequence
        if (char === "\\") {
          this.#state = "text";
          return "";
        }
        this.#state = "escape";
        return this.#sequence(char);
    }
  }

  /** The line-level control sequences: erase in line, cursor column moves. */
  #csi(final: string): void {
    const n = Number.parseInt(this.#params, 10);
    switch (final) {
      case "K":
        if (!(n > 0)) this.#line = this.#line.slice(0, this.#cursor);
        else if (n === 1) {
          this.#line = " ".repeat(Math.min(this.#cursor + 1, this.#line.length)) +
            this.#line.slice(this.#cursor + 1);
        } else this.#line = "";
        return;
      case "G":
        this.#cursor = Math.min(MAX_COLUMN, Math.max(0, (n || 1) - 1));
        return;
      case "C":
        this.#cursor = Math.min(MAX_COLUMN, this.#cursor + (n || 1));
        return;
      case "D":
        this.#cursor = Math.max(0, this.#cursor - (n || 1));
        return;
    }
  }
}

/** A byte stream of a log → its plain text, UTF-8 (invalid bytes become U+FFFD). */
export function plainTextStream(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const lines = new PlainTextLines();
  return new TransformStream({
    transform(chunk, controller) {
      const text = lines.push(decoder.decode(chunk, { stream: true }));
      if (text) controller.enqueue(encoder.encode(text));
    },
    flush(controller) {
      const text = lines.push(decoder.decode()) + lines.end();
      if (text) controller.enqueue(encoder.encode(text));
    },
  });
}

/** Longest line kept by `lastLines` (a row shows a few lines, not a wall). */
const MAX_SHOWN_LINE = 300;

/** The last `count` non-blank lines of `text` as plain text, each cut to a readable length. */
export function lastLines(text: string, count: number): string[] {
  const lines = new PlainTextLines();
  const plain = lines.push(text) + lines.end();
  return plain.split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim().length > 0)
    .slice(-count)
    .map((line) => line.length > MAX_SHOWN_LINE ? `${line.slice(0, MAX_SHOWN_LINE)}…` : line);
}
