import {
  decodeExit,
  decodeStatus,
  encodeAck,
  encodeAttach,
  encodeResize,
  encodeSignal,
  frame,
  FrameDecoder,
  FROM_NOW,
  type HolderExit,
  type HolderStatus,
  MAX_CLIENT_PAYLOAD,
  Msg,
  offsetAt,
  SIGNAL_TARGET,
} from "./protocol.ts";
import { signalNumber } from "./signal_number.ts";

/** How to attach to a holder's output. */
export interface AttachOptions {
  /** Replay from this output offset ("now": no replay; default 0: the whole scrollback). */
  from?: number | "now";
  /** Unacknowledged bytes in flight (default 1 MiB; 0: only the socket limits it). */
  window?: number;
  /** Resize the app's terminal (both or neither). */
  cols?: number;
  rows?: number;
  /** Never skip output for this client: the holder pauses reading the app instead. */
  hold?: boolean;
  /**
   * Acknowledge output once `onOutput` returned (default true), whenever a quarter of the window
   * is unacknowledged (never with no window): the holder is not woken by an ack per keystroke's
   * echo, and never waits for one. Else call `ack()` yourself.
   */
  autoAck?: boolean;
}

/** Receives the output stream of an attached connection. */
export interface OutputHandlers {
  /** A chunk of output starting at `offset`; `chunk` is valid only during the call. */
  onOutput(chunk: Uint8Array, offset: number): void;
  /** Output [from, to) will never be sent to this client (it lagged or asked for too old). */
  onGap?(from: number, to: number): void;
  /** The app ended; sent after its last output. */
  onExit?(exit: HolderExit): void;
}

const encoder = new TextEncoder();

/** One connection to a holder's socket: status, signals, input, resize and attached output. */
export class HolderConnection {
  /** Resolves when the connection has ended (holder gone, close(), or a protocol error). */
  readonly closed: Promise<void>;
  #conn: Deno.UnixConn;
  #statusWaiters: ((status: HolderStatus | Error) => void)[] = [];
  #signalWaiters: ((count: number | Error) => void)[] = [];
  #handlers: OutputHandlers | null = null;
  #autoAck = true;
  /** Unacknowledged bytes at which autoAck acknowledges. */
  #ackEvery = 1;
  #received = 0;
  #acked = 0;
  #sending: Promise<void> = Promise.resolve();
  #failure: Error | null = null;
  /** The output of one socket read, handed on as ONE chunk: fewer, larger frames downstream. */
  #pending = new OutputRun();

  private constructor(conn: Deno.UnixConn) {
    this.#conn = conn;
    this.closed = this.#readLoop();
  }

  /** Connects to a holder's socket (see holderPaths). */
  static async connect(socketPath: string): Promise<HolderConnection> {
    for (let attempt = 0;; attempt++) {
      try {
        return new HolderConnection(await Deno.connect({ transport: "unix", path: socketPath }));
      } catch (error) {
        // A full accept backlog answers EAGAIN: the holder is busy, not gone. Retry ≤ 1 s.
        if (!(error instanceof Deno.errors.WouldBlock) || attempt >= 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  /** Attaches to the output; resolves with the holder's status once it accepted. */
  attach(options: AttachOptions, handlers: OutputHandlers): Promise<HolderStatus> {
    if (this.#handlers) return Promise.reject(new Error("This connection is already attached"));
    const from = options.from ?? 0;
    if (from !== "now" && (!Number.isSafeInteger(from) || from < 0)) {
      return Promise.reject(new RangeError(`attach: from must be an offset ≥ 0, got ${from}`));
    }
    this.#handlers = handlers;
    this.#autoAck = options.autoAck ?? true;
    const window = options.window ?? 1024 * 1024;
    this.#ackEvery = window > 0 ? Math.max(1, Math.floor(window / 4)) : Infinity;
    const request = encodeAttach({
      from: from === "now" ? FROM_NOW : from,
      window,
      cols: options.cols ?? 0,
      rows: options.rows ?? 0,
      hold: options.hold ?? false,
    });
    return this.#request(this.#statusWaiters, request);
  }

  /** The holder's status (running, or the app's exit) and output offsets. */
  status(): Promise<HolderStatus> {
    return this.#request(this.#statusWaiters, frame(Msg.status));
  }

  /**
   * Signals the app's process group (or its whole session); resolves with how many deliveries
   * happened (a group counts once; 0: nothing of the app was left).
   */
  signal(signal: Deno.Signal | number, target: "group" | "session" = "group"): Promise<number> {
    const signo = typeof signal === "number" ? signal : signalNumber(signal);
    if (!Number.isInteger(signo) || signo < 1 || signo > 64) {
      return Promise.reject(new RangeError(`signal: bad signal ${signal}`));
    }
    return this.#request(this.#signalWaiters, encodeSignal(SIGNAL_TARGET[target], signo));
  }

  /** Sends input to the app's terminal (split into frames the holder accepts). */
  write(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    let last = this.#sending;
    for (let at = 0; at < bytes.length; at += MAX_CLIENT_PAYLOAD) {
      last = this.#send(frame(Msg.input, bytes.subarray(at, at + MAX_CLIENT_PAYLOAD)));
    }
    return last;
  }

  /** Sets the app's terminal size (1–10000 each). */
  resize(cols: number, rows: number): Promise<void> {
    for (const [name, value] of [["cols", cols], ["rows", rows]] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 10000) {
        return Promise.reject(new RangeError(`resize: ${name} must be 1–10000, got ${value}`));
      }
    }
    return this.#send(encodeResize(cols, rows));
  }

  /** Acknowledges output up to `offset` (only needed with autoAck: false). */
  ack(offset: number): void {
    if (offset <= this.#acked) return;
    this.#acked = offset;
    this.#send(encodeAck(offset)).catch(() => {}); // a broken socket ends `closed` anyway
  }

  /** Stops (or restarts) the output to this client; with hold, the app's output waits too. */
  setPaused(paused: boolean): Promise<void> {
    return this.#send(frame(paused ? Msg.pause : Msg.resume));
  }

  /** Detaches and closes the socket; the holder and its app keep running. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  #request<T>(queue: ((value: T | Error) => void)[], bytes: Uint8Array): Promise<T> {
    if (this.#failure) return Promise.reject(this.#failure);
    const answer = new Promise<T>((resolve, reject) => {
      queue.push((value) => value instanceof Error ? reject(value) : resolve(value));
    });
    this.#send(bytes).catch(() => {}); // a failed send ends the read loop, which rejects
    return answer;
  }

  #send(bytes: Uint8Array): Promise<void> {
    const conn = this.#conn;
    const sent = this.#sending.then(async () => {
      for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    });
    this.#sending = sent.catch(() => {});
    return sent;
  }

  async #readLoop(): Promise<void> {
    const decoder = new FrameDecoder();
    const onFrame = (type: number, payload: Uint8Array) => this.#onFrame(type, payload);
    try {
      for (;;) {
        const n = await this.#conn.read(decoder.space()); // frames are decoded where they land
        if (n === null) break;
        decoder.commit(n, onFrame);
        this.#deliverOutput();
        if (this.#autoAck && this.#received - this.#acked >= this.#ackEvery) {
          this.ack(this.#received);
        }
      }
    } catch (error) {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
    } finally {
      this.#failure ??= new Error("The holder connection closed");
      for (const waiter of this.#statusWaiters.splice(0)) waiter(this.#failure);
      for (const waiter of this.#signalWaiters.splice(0)) waiter(this.#failure);
      this.close();
    }
  }

  #onFrame(type: number, payload: Uint8Array): void {
    if (type === Msg.output) {
      const offset = offsetAt(payload);
      const chunk = payload.subarray(8);
      if (!this.#pending.extends(offset, chunk.length)) this.#deliverOutput();
      this.#pending.add(chunk, offset);
      this.#received = offset + chunk.length;
      return;
    }
    this.#deliverOutput(); // output goes before whatever followed it
    if (type === Msg.statusReply) {
      this.#statusWaiters.shift()?.(decodeStatus(payload));
    } else if (type === Msg.signaled) {
      const count = new DataView(payload.buffer, payload.byteOffset).getUint32(0, true);
      this.#signalWaiters.shift()?.(count);
    } else if (type === Msg.gap) {
      const to = offsetAt(payload, 8);
      this.#received = this.#acked = to;
      this.#handlers?.onGap?.(offsetAt(payload), to);
    } else if (type === Msg.exit) {
      this.#handlers?.onExit?.(decodeExit(payload));
    } else if (type === Msg.error) {
      throw new Error(`The holder refused a request: ${new TextDecoder().decode(payload)}`);
    }
  }

  #deliverOutput(): void {
    this.#pending.take((chunk, offset) => this.#handlers?.onOutput(chunk, offset));
  }
}

/** Output payloads of one read are joined up to this size; larger ones go on as they came. */
const JOIN_UP_TO = 64 * 1024;

/**
 * Consecutive output payloads of one socket read, joined. The first is kept as a view (the
 * decoder's buffer stays put until the next read); a second one copies both into one buffer
 * (rare with large frames: the holder sends each burst it read as one frame).
 */
class OutputRun {
  #first: Uint8Array | null = null;
  #joined: Uint8Array | null = null;
  #length = 0;
  #offset = 0;

  /**
   * True when nothing is gathered, or `length` bytes at `offset` follow what is and are worth
   * joining: small frames are, a large one goes on as its own view (joining it costs a copy).
   */
  extends(offset: number, length: number): boolean {
    if (this.#length === 0) return true;
    return offset === this.#offset + this.#length && this.#length + length <= JOIN_UP_TO;
  }

  add(chunk: Uint8Array, offset: number): void {
    if (this.#length === 0) {
      this.#first = chunk;
      this.#offset = offset;
      this.#length = chunk.length;
      return;
    }
    const needed = this.#length + chunk.length;
    let joined = this.#joined;
    if (joined === null || joined.length < needed) {
      joined = new Uint8Array(Math.max(needed, 256 * 1024));
      joined.set(this.#first ?? (this.#joined as Uint8Array).subarray(0, this.#length));
      this.#joined = joined;
    } else if (this.#first !== null) {
      joined.set(this.#first);
    }
    this.#first = null;
    joined.set(chunk, this.#length);
    this.#length = needed;
  }

  /** Hands what is gathered to `deliver` (a view valid only during the call) and empties. */
  take(deliver: (chunk: Uint8Array, offset: number) => void): void {
    if (this.#length === 0) return;
    const chunk = this.#first ?? (this.#joined as Uint8Array).subarray(0, this.#length);
    const offset = this.#offset;
    this.#first = null;
    this.#length = 0;
    deliver(chunk, offset);
  }
}
