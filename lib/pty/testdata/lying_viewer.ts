/**
 * A raw WebSocket client that does the handshake, then acks 2^31 bytes every 20 ms and never
 * reads a byte: the "lying viewer" of the reliability findings. Shared by the test and the
 * benchmark.
 */

const encoder = new TextEncoder();

/** One masked client text frame (payload < 126 bytes). */
function textFrame(text: string): Uint8Array {
  const payload = encoder.encode(text);
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const frame = new Uint8Array(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  frame.set(mask, 2);
  payload.forEach((byte, i) => (frame[6 + i] = byte ^ (mask[i % 4] ?? 0)));
  return frame;
}

/** Connects to ws://127.0.0.1:`port`/`path` and starts lying. */
export async function openLyingViewer(port: number, path = "/") {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(encoder.encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${btoa("lying-viewer-key")}\r\n` +
      `Sec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const ack = textFrame(JSON.stringify({ type: "ack", bytes: 2 ** 31 }));
  let acks = 0;
  let writing = false;
  const timer = setInterval(() => {
    if (writing) return;
    writing = true;
    conn.write(ack).then(
      () => {
        acks++;
        writing = false;
      },
      () => clearInterval(timer),
    );
  }, 20);
  return {
    acksSent: () => acks,
    close() {
      clearInterval(timer);
      try {
        conn.close();
      } catch {
        // already closed by the server
      }
    },
  };
}
