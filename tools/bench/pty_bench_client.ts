/**
 * The benchmark's WebSocket client: inline on the main thread (default) or in a Worker so
 * that receiving frames does not share the server's event loop (in production the client is
 * a browser on another machine; both modes still share this machine's cores).
 * Protocols: "aikore" (binary output frames, acks as the browser sends them, ends at the exit
 * message), "terminado" (["stdout", text] JSON frames, ends at ["disconnect", …]) and "wetty"
 * (socket.io over a WebSocket: `42["data",text]` events, a `commit` every 256 KiB as wetty's
 * own client sends it; wetty may flush output after "logout", so it ends at `expectBytes`).
 */
import {
  AckCounter,
  decodeServerMessage,
  encodeClientMessage,
} from "../../lib/shared/terminal_protocol.ts";

/** What the main thread asks for. */
export interface ClientRequest {
  url: string;
  protocol: "aikore" | "terminado" | "wetty";
  /** Stop once this many bytes arrived (wetty's end marker can precede its last output). */
  expectBytes?: number;
}

/** Wetty's client acknowledges every 256 KiB of characters it wrote to xterm. */
const WETTY_ACK_CHARS = 262144;

/** What the worker answers. */
export interface ClientResult {
  bytes: number;
  frames: number;
  ms: number;
  error?: string;
}

/** Connects, reads until the program's exit, and measures. */
export function runClient(request: ClientRequest): Promise<ClientResult> {
  const started = performance.now();
  const socket = new WebSocket(request.url);
  socket.binaryType = "arraybuffer";
  const acks = new AckCounter();
  const encoder = new TextEncoder();
  let bytes = 0;
  let frames = 0;
  return new Promise((resolve) => {
    const done = (error?: string) => {
      const result: ClientResult = { bytes, frames, ms: performance.now() - started };
      if (error) result.error = error;
      socket.onclose = null;
      socket.close();
      resolve(result);
    };
    let wettyPending = 0;
    const wetty = (text: string) => {
      if (text === "2") return socket.send("3"); // engine.io ping
      if (text.startsWith("0")) return socket.send("40"); // open: join the default namespace
      if (!text.startsWith("42")) return;
      const [kind, payload] = JSON.parse(text.slice(2)) as [string, unknown];
      if (kind !== "data" || typeof payload !== "string") return;
      bytes += encoder.encode(payload).length;
      frames++;
      wettyPending += payload.length;
      if (wettyPending >= WETTY_ACK_CHARS) {
        wettyPending -= WETTY_ACK_CHARS;
        socket.send(`42["commit",${WETTY_ACK_CHARS}]`);
      }
      if (bytes >= (request.expectBytes ?? Infinity)) done();
    };
    socket.onmessage = (event) => {
      if (request.protocol === "wetty") return wetty(event.data as string);
      if (request.protocol === "terminado") {
        const [kind, payload] = JSON.parse(event.data as string) as [string, unknown];
        if (kind === "stdout" && typeof payload === "string") {
          bytes += encoder.encode(payload).length;
          frames++;
        } else if (kind === "disconnect") done();
        return;
      }
      if (typeof event.data === "string") {
        const message = decodeServerMessage(event.data);
        if (message.ok && message.message.type === "exit") done();
        return;
      }
      const length = (event.data as ArrayBuffer).byteLength;
      bytes += length;
      frames++;
      const ack = acks.processed(length);
      if (ack) socket.send(encodeClientMessage(ack));
    };
    socket.onclose = () => done();
    socket.onerror = () => done("WebSocket error");
  });
}

// Only when loaded as a Worker (the main thread imports runClient for the inline mode).
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as Worker;
  scope.onmessage = async (event: MessageEvent<ClientRequest>) => {
    scope.postMessage(await runClient(event.data));
  };
}
