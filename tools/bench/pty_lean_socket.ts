/**
 * A lean WebSocket client for the benchmarks, as cheap per byte as a browser's native one:
 * reads the TCP stream into one reusable buffer, parses frames in place and hands payloads
 * out as views (no ArrayBuffer per message, no event per read). Deno's WebSocket client costs
 * about 7 ms of CPU per MiB received here, more than the whole server side; a browser's does
 * not. Unfragmented frames only (what the benchmarked servers send); pings are answered.
 */

const encoder = new TextEncoder();
const HEADER_END = encoder.encode("\r\n\r\n");

/** Receives one frame: `text` true for a text frame; `payload` is valid only during the call. */
export type FrameHandler = (payload: Uint8Array, text: boolean) => void;

/** An open lean socket. */
export interface LeanSocket {
  sendText(text: string): void;
  /** Resolves when the server closed (or the connection broke). */
  readonly closed: Promise<void>;
  close(): void;
}

/** A client frame with a zero mask key (allowed; the payload then goes out as it is). */
function clientFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const extra = payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8;
  const frame = new Uint8Array(2 + extra + 4 + payload.length);
  frame[0] = 0x80 | opcode;
  const view = new DataView(frame.buffer);
  if (extra === 0) frame[1] = 0x80 | payload.length;
  else if (extra === 2) (frame[1] = 0x80 | 126), view.setUint16(2, payload.length);
  else (frame[1] = 0x80 | 127), view.setBigUint64(2, BigInt(payload.length));
  frame.set(payload, 2 + extra + 4);
  return frame;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Connects, retrying briefly while a just-started peer is not accepting yet. */
async function connectSoon(hostname: string, port: number): Promise<Deno.TcpConn> {
  for (let attempt = 0;; attempt++) {
    try {
      return await Deno.connect({ hostname, port });
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused) || attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Connects to a ws:// URL and calls `onFrame` for each data frame until the server closes. */
export async function openLeanSocket(url: string, onFrame: FrameHandler): Promise<LeanSocket> {
  const target = new URL(url);
  const conn = await connectSoon(target.hostname, Number(target.port));
  conn.setNoDelay(true);
  const key = btoa("aikore-bench-key");
  await conn.write(encoder.encode(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
      `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
      `Sec-WebSocket-Version: 13\r\n\r\n`,
  ));
  let buffer = new Uint8Array(4 * 1024 * 1024);
  let start = 0;
  let end = 0;
  let upgraded = false;
  let open = true;
  let writing = Promise.resolve();
  const write = (frame: Uint8Array) => {
    writing = writing.then(() => conn.write(frame)).then(() => {}, () => {});
  };
  /** Handles whole frames in buffer[start, end); returns false once a close frame came. */
  const parse = (): boolean => {
    while (end - start >= 2) {
      const b0 = buffer[start] as number;
      const b1 = buffer[start + 1] as number;
      let length = b1 & 0x7f;
      let at = start + 2;
      if (length === 126) {
        if (end - start < 4) return true;
        length = ((buffer[at] as number) << 8) | (buffer[at + 1] as number);
        at += 2;
      } else if (length === 127) {
        if (end - start < 10) return true;
        length = Number(new DataView(buffer.buffer, at, 8).getBigUint64(0));
        at += 8;
      }
      if (end - at < length) {
        if (at + length > buffer.length) {
          const bigger = new Uint8Array(Math.max(buffer.length, (at - start + length) * 2));
          bigger.set(buffer.subarray(start, end));
          (end -= start), (start = 0), (buffer = bigger);
        }
        return true;
      }
      const payload = buffer.subarray(at, at + length);
      const opcode = b0 & 0x0f;
      if (opcode === 1 || opcode === 2) onFrame(payload, opcode === 1);
      else if (opcode === 9) write(clientFrame(10, payload.slice()));
      else if (opcode === 8) return false;
      start = at + length;
    }
    return true;
  };
  const pump = async () => {
    while (open) {
      if (start === end) start = end = 0;
      else if (buffer.length - end < 65536) {
        buffer.copyWithin(0, start, end);
        (end -= start), (start = 0);
      }
      const count = await conn.read(buffer.subarray(end));
      if (count === null) return;
      end += count;
      if (!upgraded) {
        const header = indexOf(buffer.subarray(0, end), HEADER_END);
        if (header < 0) continue;
        const status = new TextDecoder().decode(buffer.subarray(0, 12));
        if (!status.includes(" 101")) throw new Error(`WebSocket upgrade refused: ${status}`);
        upgraded = true;
        start = header + HEADER_END.length;
      }
      if (!parse()) return;
    }
  };
  const closed = pump().catch(() => {}).finally(() => {
    open = false;
    try {
      conn.close();
    } catch {
      // already closed
    }
  });
  return {
    sendText: (text) => write(clientFrame(1, encoder.encode(text))),
    closed,
    close() {
      open = false;
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
  };
}
