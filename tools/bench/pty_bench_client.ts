/**
 * The benchmark's WebSocket client (the lean one of pty_lean_socket.ts, as cheap as a
 * browser's): inline on the main thread (default) or in a Worker so
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
import { openLeanSocket } from "./pty_lean_socket.ts";

/** What the main thread asks for. */
export interface ClientRequest {
  url: string;
  protocol: "aikore" | "terminado" | "wetty";
  /** Stop once this many bytes arrived (wetty's end marker can precede its last output). */
  expectBytes?: number;
}

/**
 * A run in which no output arrives for this long ends there, short of its bytes: a peer that
 * stalls (wetty did once in a run, its last output never sent) must not hang the benchmark.
 */
const STALL_MS = 30_000;

/** Wetty's client acknowledges every 256 KiB of characters it wrote to xterm. */
const WETTY_ACK_CHARS = 262144;

/** What the worker answers. */
export interface ClientResult {
  bytes: number;
  frames: number;
  ms: number;
  /** CPU ms the client used, when it ran in a process of its own (else it counts as ours). */
  clientCpu?: number;
  error?: string;
}

/** Connects, reads until the program's exit, and measures. */
export async function runClient(request: ClientRequest): Promise<ClientResult> {
  const started = performance.now();
  let acks = new AckCounter();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let bytes = 0;
  let frames = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let wettyPending = 0;
  const wetty = (text: string) => {
    if (text === "2") return socket.sendText("3"); // engine.io ping
    if (text.startsWith("0")) return socket.sendText("40"); // open: join the default namespace
    if (!text.startsWith("42")) return;
    const [kind, payload] = JSON.parse(text.slice(2)) as [string, unknown];
    if (kind !== "data" || typeof payload !== "string") return;
    bytes += encoder.encode(payload).length;
    frames++;
    wettyPending += payload.length;
    if (wettyPending >= WETTY_ACK_CHARS) {
      wettyPending -= WETTY_ACK_CHARS;
      socket.sendText(`42["commit",${WETTY_ACK_CHARS}]`);
    }
    if (bytes >= (request.expectBytes ?? Infinity)) finish();
  };
  const terminado = (text: string) => {
    const [kind, payload] = JSON.parse(text) as [string, unknown];
    if (kind === "stdout" && typeof payload === "string") {
      bytes += encoder.encode(payload).length;
      frames++;
      if (bytes >= (request.expectBytes ?? Infinity)) finish();
    } else if (kind === "disconnect") finish();
  };
  // Output, not frames: wetty's pings go on while its output has stopped.
  let lastBytes = 0;
  let lastOutputAt = performance.now();
  const stallCheck = setInterval(() => {
    if (bytes !== lastBytes) {
      lastBytes = bytes;
      lastOutputAt = performance.now();
    } else if (performance.now() - lastOutputAt > STALL_MS) finish();
  }, 1000);
  const socket = await openLeanSocket(request.url, (payload, text) => {
    if (request.protocol === "wetty") return wetty(decoder.decode(payload));
    if (request.protocol === "terminado") return terminado(decoder.decode(payload));
    if (text) {
      const message = decodeServerMessage(decoder.decode(payload));
      // Like the browser: ack at the interval the server asks for in its hello.
      if (message.ok && message.message.type === "hello") {
        acks = new AckCounter(message.message.ackEveryBytes);
      }
      if (message.ok && message.message.type === "exit") finish();
      return;
    }
    bytes += payload.length;
    frames++;
    const ack = acks.processed(payload.length);
    if (ack) socket.sendText(encodeClientMessage(ack));
  });
  await Promise.race([finished, socket.closed]);
  clearInterval(stallCheck);
  const result: ClientResult = { bytes, frames, ms: performance.now() - started };
  socket.close();
  return result;
}

// As a process of its own: `deno run -A pty_bench_client.ts '<request JSON>'` prints the result
// with the client's own CPU time, so that the server's can be measured without it.
const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !==
  "undefined";

// A Worker's entry module is `import.meta.main` too, and sees the parent's arguments.
if (import.meta.main && !inWorker && Deno.args[0] !== undefined) {
  const { cpuUsage } = await import("node:process");
  const before = cpuUsage();
  const answer = await runClient(JSON.parse(Deno.args[0]) as ClientRequest).catch((error) => ({
    bytes: 0,
    frames: 0,
    ms: 0,
    error: String(error),
  }));
  const used = cpuUsage(before);
  const line = JSON.stringify({ ...answer, clientCpu: (used.user + used.system) / 1000 });
  Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));
}

/**
 * The client in ONE Worker thread for the whole run, loaded before any measurement: starting a
 * Worker (an isolate, the module's compilation) costs tens of ms of CPU, which must not count
 * as the cost of the bytes of whichever path happens to be measured.
 */
export class ClientWorker {
  #worker: Worker;
  #ready: Promise<void>;
  #answer: ((result: ClientResult) => void) | null = null;

  constructor() {
    this.#worker = new Worker(new URL(import.meta.url), { type: "module" });
    this.#ready = new Promise((resolve) => {
      this.#worker.onmessage = (event: MessageEvent<ClientResult | "ready">) => {
        if (event.data === "ready") return resolve();
        const answer = this.#answer;
        this.#answer = null;
        answer?.(event.data);
      };
    });
  }

  /** Resolves once the worker has loaded. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Runs one client in the worker (one at a time). */
  async run(request: ClientRequest): Promise<ClientResult> {
    await this.#ready;
    const answer = new Promise<ClientResult>((resolve) => (this.#answer = resolve));
    this.#worker.postMessage(request);
    return await answer;
  }

  close(): void {
    this.#worker.terminate();
  }
}

// Only when loaded as a Worker (the main thread imports runClient for the inline mode).
if (inWorker) {
  const scope = globalThis as unknown as Worker;
  scope.postMessage("ready");
  scope.onmessage = async (event: MessageEvent<ClientRequest>) => {
    const answer = await runClient(event.data).catch((error): ClientResult => ({
      bytes: 0,
      frames: 0,
      ms: 0,
      error: `${event.data.protocol} client: ${error}`,
    }));
    scope.postMessage(answer);
  };
}
