/** Test-only HTTP over a raw socket: exact Host headers, WebSocket handshakes, 444 detection. */

/** The response head (status line + headers) or null when the server closed without answering. */
export interface RawResponse {
  status: number | null;
  head: string;
}

/** Sends `lines` (CRLF-joined, blank line appended) to 127.0.0.1:`port` and reads the response head. */
export async function rawRequest(port: number, lines: string[]): Promise<RawResponse> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    let text = "";
    const buffer = new Uint8Array(4096);
    while (!text.includes("\r\n\r\n")) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    return { status: match ? Number(match[1]) : null, head: text.split("\r\n\r\n")[0] ?? "" };
  } finally {
    conn.close();
  }
}

/** A GET with the given Host and extra header lines. */
export function rawGet(
  port: number,
  path: string,
  host: string,
  extra: string[] = [],
): Promise<RawResponse> {
  return rawRequest(port, [`GET ${path} HTTP/1.1`, `Host: ${host}`, "Connection: close", ...extra]);
}

/** A WebSocket upgrade request with the given Host and extra header lines. */
export function rawUpgrade(
  port: number,
  path: string,
  host: string,
  extra: string[] = [],
): Promise<RawResponse> {
  return rawRequest(port, [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...extra,
  ]);
}

export { freePorts } from "../../../tests/helpers/free_ports.ts";

// Deno's WebSocket takes handshake headers; the DOM typings in this project do not know it.
const HeaderWebSocket = WebSocket as unknown as new (
  url: string,
  options: { headers: HeadersInit },
) => WebSocket;

/** Opens a WebSocket with `headers`, returns its first message, then closes it. */
export async function firstWebSocketMessage(url: string, headers: HeadersInit): Promise<string> {
  const socket = new HeaderWebSocket(url, { headers });
  const message = Promise.withResolvers<string>();
  socket.onmessage = (event) => message.resolve(String(event.data));
  socket.onerror = () => message.reject(new Error(`WebSocket to ${url} failed`));
  socket.onclose = () => message.reject(new Error(`WebSocket to ${url} closed before a message`));
  try {
    const first = await message.promise;
    socket.send("ping");
    const echo = await new Promise<string>((
      resolve,
    ) => (socket.onmessage = (event) => resolve(String(event.data))));
    return `${first} | ${echo}`;
  } finally {
    if (socket.readyState !== WebSocket.CLOSED) {
      const closed = new Promise((resolve) => (socket.onclose = resolve));
      socket.close();
      await closed;
    }
  }
}
