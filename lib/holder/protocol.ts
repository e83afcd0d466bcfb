/**
 * The holder's wire protocol, mirrored from native/holder/protocol.h (change both together).
 * Every frame is [type u8][payload length u32 LE][payload]; integers are little-endian and
 * output offsets count every byte the app wrote since its holder started.
 */

export const FRAME_HEADER = 5;
/** Largest payload a client may send in one frame. */
export const MAX_CLIENT_PAYLOAD = 65536;
/** Largest frame the holder sends (output: 8-byte offset + 256 KiB, with ATTACH_LARGE). */
export const MAX_HOLDER_PAYLOAD = 256 * 1024 + 8;

export const Msg = {
  attach: 0x01,
  input: 0x02,
  resize: 0x03,
  signal: 0x04,
  status: 0x05,
  ack: 0x06,
  pause: 0x07,
  resume: 0x08,
  takeInput: 0x09,
  output: 0x81,
  statusReply: 0x82,
  exit: 0x83,
  gap: 0x84,
  error: 0x85,
  signaled: 0x86,
  ptyFd: 0x87,
} as const;

/** Offset meaning "attach without replay": only output produced from now on. */
export const FROM_NOW = 0xffff_ffff_ffff_ffffn;
/** Attach flag: never skip output for this client; the holder pauses reading the app instead. */
export const ATTACH_HOLD = 0x01;
/**
 * Attach flag: output frames up to 256 KiB instead of 64 KiB, so that one burst the holder read
 * comes as one frame, handed on as one view (no join). A holder older than the flag ignores it.
 */
export const ATTACH_LARGE = 0x02;
export const SIGNAL_TARGET = { group: 1, session: 2 } as const;
export const STATUS_PAYLOAD = 72;

/** How the app ended: an exit code, or the signal that killed it (the other is null). */
export interface HolderExit {
  code: number | null;
  signal: number | null;
  /** Wall-clock time of the end, ms since the epoch. */
  endedAt: number;
}

/** A holder's answer to a status query. */
export interface HolderStatus {
  version: number;
  holderPid: number;
  appPid: number;
  appStartTicks: number;
  /** Set once the app (the session leader) has ended. */
  exit: HolderExit | null;
  clients: number;
  /** Bytes of output so far; the next byte's offset. */
  head: number;
  /** Offset of the oldest byte still in the holder's scrollback. */
  oldest: number;
  scrollbackBytes: number;
  logDroppedBytes: number;
  cols: number;
  rows: number;
}

/** Encodes one frame. */
export function frame(type: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER + payload.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, payload.length, true);
  out.set(payload, FRAME_HEADER);
  return out;
}

function fixed(size: number, fill: (view: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  fill(new DataView(bytes.buffer));
  return bytes;
}

export interface AttachRequest {
  /** Replay from this offset (bigint FROM_NOW: none); older than the scrollback → a gap first. */
  from: number | bigint;
  /** Unacknowledged bytes the holder may send (0: no limit beyond the socket's). */
  window: number;
  cols: number;
  rows: number;
  hold: boolean;
  /** Ask for large output frames (default true; ATTACH_LARGE). */
  largeFrames?: boolean;
}

export function encodeAttach(request: AttachRequest): Uint8Array {
  return frame(
    Msg.attach,
    fixed(20, (view) => {
      view.setBigUint64(0, BigInt(request.from), true);
      view.setUint32(8, request.window, true);
      view.setUint16(12, request.cols, true);
      view.setUint16(14, request.rows, true);
      view.setUint8(
        16,
        (request.hold ? ATTACH_HOLD : 0) | (request.largeFrames ?? true ? ATTACH_LARGE : 0),
      );
    }),
  );
}

export function encodeResize(cols: number, rows: number): Uint8Array {
  return frame(
    Msg.resize,
    fixed(4, (view) => {
      view.setUint16(0, cols, true);
      view.setUint16(2, rows, true);
    }),
  );
}

export function encodeSignal(target: number, signo: number): Uint8Array {
  return frame(Msg.signal, Uint8Array.of(target, signo));
}

export function encodeAck(offset: number): Uint8Array {
  return frame(Msg.ack, fixed(8, (view) => view.setBigUint64(0, BigInt(offset), true)));
}

function exitOf(code: number, signal: number, endedAt: bigint): HolderExit {
  return {
    code: code < 0 ? null : code,
    signal: signal > 0 ? signal : null,
    endedAt: Number(endedAt),
  };
}

export function decodeStatus(payload: Uint8Array): HolderStatus {
  if (payload.length !== STATUS_PAYLOAD) {
    throw new Error(`holder status: expected ${STATUS_PAYLOAD} bytes, got ${payload.length}`);
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  return {
    version: view.getUint32(0, true),
    holderPid: view.getUint32(4, true),
    appPid: view.getUint32(8, true),
    exit: view.getUint8(12) === 1
      ? exitOf(view.getInt32(16, true), view.getInt32(20, true), view.getBigUint64(32, true))
      : null,
    clients: view.getUint16(14, true),
    appStartTicks: u64(24),
    head: u64(40),
    oldest: u64(48),
    logDroppedBytes: u64(56),
    cols: view.getUint16(64, true),
    rows: view.getUint16(66, true),
    scrollbackBytes: view.getUint32(68, true),
  };
}

export function decodeExit(payload: Uint8Array): HolderExit {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
  return exitOf(view.getInt32(0, true), view.getInt32(4, true), view.getBigUint64(8, true));
}

/** Reads a u64 offset at `at` of a payload. */
export function offsetAt(payload: Uint8Array, at = 0): number {
  return Number(new DataView(payload.buffer, payload.byteOffset).getBigUint64(at, true));
}

/**
 * Splits a byte stream into frames. Bytes can be read straight into its buffer (`space()`, then
 * `commit()`), so that a frame's payload is never copied on its way in; `push()` copies a chunk
 * in. Payloads are views into the buffer, valid only during the `onFrame` call.
 */
export class FrameDecoder {
  /** Room for two largest frames: a read never has to wait for the consumer to catch up. */
  #buffer = new Uint8Array(2 * (FRAME_HEADER + MAX_HOLDER_PAYLOAD));
  #view = new DataView(this.#buffer.buffer);
  #start = 0;
  #end = 0;

  /**
   * Free room at the end of the buffer to read into, at least a largest frame's worth: the
   * partial frame left by the last read is moved to the front only when the room runs short
   * (a rare, short copy).
   */
  space(): Uint8Array {
    if (this.#buffer.length - this.#end < FRAME_HEADER + MAX_HOLDER_PAYLOAD) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    return this.#buffer.subarray(this.#end);
  }

  /** Takes `count` bytes read into `space()` and calls `onFrame` for every complete frame. */
  commit(count: number, onFrame: (type: number, payload: Uint8Array) => void): void {
    this.#end += count;
    while (this.#end - this.#start >= FRAME_HEADER) {
      const length = this.#view.getUint32(this.#start + 1, true);
      if (length > MAX_HOLDER_PAYLOAD) throw new Error(`holder frame too large: ${length}`);
      if (this.#end - this.#start < FRAME_HEADER + length) break;
      const type = this.#buffer[this.#start] ?? 0;
      const body = this.#start + FRAME_HEADER;
      this.#start = body + length;
      onFrame(type, this.#buffer.subarray(body, body + length));
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  /** Copies `chunk` in and calls `onFrame` for every complete frame. */
  push(chunk: Uint8Array, onFrame: (type: number, payload: Uint8Array) => void): void {
    for (let at = 0; at < chunk.length;) {
      const room = this.space();
      const count = Math.min(room.length, chunk.length - at);
      room.set(chunk.subarray(at, at + count));
      at += count;
      this.commit(count, onFrame);
    }
  }
}
