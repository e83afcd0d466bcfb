/**
 * The terminal WebSocket protocol, shared by the server (lib/pty socket bridge) and the browser.
 * Pure: no Deno or DOM APIs.
 *
 * - Output: binary frames of raw pty bytes. A UTF-8 character may be split across two frames,
 *   so the client must decode with a streaming decoder (xterm's `write(Uint8Array)` does).
 * - Control: JSON text frames, validated by the functions below.
 * - Flow control: the client acknowledges processed output with `{type:"ack",bytes}` about
 *   every `ackEveryBytes` bytes (from the hello message), for example from xterm's write
 *   callback. Unacknowledged output beyond the server's high-water mark stops the stream (or,
 *   for consoles, skips this viewer and later replays the scrollback tail). `pause`/`resume`
 *   stop and restart the stream explicitly. A client that never acks stops receiving output.
 * - Input: `{type:"input",data}` text frames; binary client frames are raw input bytes too.
 */

/** Bumped on incompatible changes; sent in the hello message. */
export const TERMINAL_PROTOCOL_VERSION = 1;

/** Bounds every implementation enforces. */
export const TERMINAL_LIMITS = {
  maxCols: 1000,
  maxRows: 500,
  /** Largest input in one message (characters of `data`, or bytes of a binary frame). */
  maxInputLength: 65536,
  /** Largest control frame accepted (a JSON-escaped maximal input fits). */
  maxControlFrameLength: 6 * 65536 + 64,
  /** Default ack interval suggested to clients. */
  ackEveryBytes: 64 * 1024,
} as const;

/** Messages the browser sends. */
export type TerminalClientMessage =
  | { type: "input"; data: string }
  | { type: "resize"; cols: number; rows: number }
  | { type: "ack"; bytes: number }
  | { type: "pause" }
  | { type: "resume" };

/** Messages the server sends as text frames (output travels as binary frames). */
export type TerminalServerMessage =
  | {
    type: "hello";
    protocol: number;
    /** True when this viewer may never send input (its input is dropped). */
    readOnly: boolean;
    cols: number;
    rows: number;
    ackEveryBytes: number;
  }
  /** The pty's effective size changed (it follows the smallest attached viewer). */
  | { type: "resize"; cols: number; rows: number }
  | { type: "exit"; code: number | null; signal: number | null }
  | { type: "error"; message: string };

/** A decoded message, or why it was rejected. */
export type DecodeResult<T> = { ok: true; message: T } | { ok: false; error: string };

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isIntIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

const isCodeOrNull = (value: unknown): value is number | null =>
  value === null || isIntIn(value, -(2 ** 31), 2 ** 31);

function fail<T>(error: string): DecodeResult<T> {
  return { ok: false, error };
}

function parse(text: string): DecodeResult<Fields> {
  if (text.length > TERMINAL_LIMITS.maxControlFrameLength) {
    return fail(`control frame too large (${text.length} characters)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("control frame is not valid JSON");
  }
  if (!isRecord(value) || typeof value.type !== "string") {
    return fail("control frame must be a JSON object with a string `type`");
  }
  return { ok: true, message: value };
}

/** Checks an already-parsed value against the client message shapes and limits. */
export function validateClientMessage(value: unknown): DecodeResult<TerminalClientMessage> {
  if (!isRecord(value)) return fail("message must be an object");
  const { maxCols, maxRows, maxInputLength } = TERMINAL_LIMITS;
  switch (value.type) {
    case "input":
      if (typeof value.data !== "string") return fail("input.data must be a string");
      if (value.data.length > maxInputLength) {
        return fail(`input too large (${value.data.length} > ${maxInputLength} characters)`);
      }
      return { ok: true, message: { type: "input", data: value.data } };
    case "resize":
      if (!isIntIn(value.cols, 1, maxCols) || !isIntIn(value.rows, 1, maxRows)) {
        return fail(`resize needs integer cols 1–${maxCols} and rows 1–${maxRows}`);
      }
      return { ok: true, message: { type: "resize", cols: value.cols, rows: value.rows } };
    case "ack":
      if (!isIntIn(value.bytes, 1, 2 ** 31)) return fail("ack.bytes must be a positive integer");
      return { ok: true, message: { type: "ack", bytes: value.bytes } };
    case "pause":
    case "resume":
      return { ok: true, message: { type: value.type } };
    default:
      return fail(`unknown message type ${JSON.stringify(String(value.type)).slice(0, 40)}`);
  }
}

/** Parses and validates a client control frame. */
export function decodeClientMessage(text: string): DecodeResult<TerminalClientMessage> {
  const parsed = parse(text);
  return parsed.ok ? validateClientMessage(parsed.message) : parsed;
}

/** Serialises a client message (the browser side). */
export function encodeClientMessage(message: TerminalClientMessage): string {
  return JSON.stringify(message);
}

/** Checks an already-parsed value against the server message shapes. */
export function validateServerMessage(value: unknown): DecodeResult<TerminalServerMessage> {
  if (!isRecord(value)) return fail("message must be an object");
  const { maxCols, maxRows } = TERMINAL_LIMITS;
  switch (value.type) {
    case "hello": {
      const { protocol, readOnly, cols, rows, ackEveryBytes } = value;
      if (
        !isIntIn(protocol, 1, 1000) || typeof readOnly !== "boolean" ||
        !isIntIn(cols, 0, maxCols) || !isIntIn(rows, 0, maxRows) ||
        !isIntIn(ackEveryBytes, 1, 2 ** 31)
      ) return fail("malformed hello message");
      return {
        ok: true,
        message: { type: "hello", protocol, readOnly, cols, rows, ackEveryBytes },
      };
    }
    case "resize":
      if (!isIntIn(value.cols, 1, maxCols) || !isIntIn(value.rows, 1, maxRows)) {
        return fail("malformed resize message");
      }
      return { ok: true, message: { type: "resize", cols: value.cols, rows: value.rows } };
    case "exit":
      if (!isCodeOrNull(value.code) || !isCodeOrNull(value.signal)) {
        return fail("malformed exit message");
      }
      return { ok: true, message: { type: "exit", code: value.code, signal: value.signal } };
    case "error":
      if (typeof value.message !== "string") return fail("malformed error message");
      return { ok: true, message: { type: "error", message: value.message } };
    default:
      return fail(`unknown message type ${JSON.stringify(String(value.type)).slice(0, 40)}`);
  }
}

/** Parses and validates a server control frame (the browser side). */
export function decodeServerMessage(text: string): DecodeResult<TerminalServerMessage> {
  const parsed = parse(text);
  return parsed.ok ? validateServerMessage(parsed.message) : parsed;
}

/** Serialises a server message. */
export function encodeServerMessage(message: TerminalServerMessage): string {
  return JSON.stringify(message);
}

/**
 * Client-side ack bookkeeping: call `processed(n)` when n output bytes have been rendered; it
 * returns the ack message to send, or null while fewer than `every` bytes are pending.
 */
export class AckCounter {
  #pending = 0;

  constructor(readonly every: number = TERMINAL_LIMITS.ackEveryBytes) {}

  processed(bytes: number): TerminalClientMessage | null {
    this.#pending += bytes;
    if (this.#pending < this.every) return null;
    const message: TerminalClientMessage = { type: "ack", bytes: this.#pending };
    this.#pending = 0;
    return message;
  }

  /** Acks whatever is pending (e.g. when the stream goes idle); null when nothing is. */
  flush(): TerminalClientMessage | null {
    if (this.#pending === 0) return null;
    const message: TerminalClientMessage = { type: "ack", bytes: this.#pending };
    this.#pending = 0;
    return message;
  }
}
