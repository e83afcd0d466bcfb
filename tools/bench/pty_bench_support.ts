/** Shared pieces of the PTY benchmarks: printing, a bridged session server, percentiles. */
import {
  decodeClientMessage,
  encodeServerMessage,
  TERMINAL_PROTOCOL_VERSION,
} from "../../lib/shared/terminal_protocol.ts";
import {
  BRIDGE_ACK_EVERY_BYTES,
  bridgeSocket,
  type Pty,
  PtySession,
  type PtySessionOptions,
  type SocketBridgeOptions,
  spawnPty,
} from "../../lib/pty/mod.ts";

const encoder = new TextEncoder();

/** Prints one line to stdout (benchmarks report figures; the logger is for the server). */
export function print(line = ""): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

/** The environment benchmark programs run with. */
export const BENCH_ENV: Record<string, string> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  LANG: "C.UTF-8",
  PS1: "$ ",
};

/**
 * The core the benchmarked app (`cat`) is pinned to, when the benchmark runs with --pin (it then
 * runs itself on another core): AiKore, the holder and the client on one, the app on the other.
 */
const APP_CPU = Deno.env.get("AIKORE_BENCH_APP_CPU");

/** `cat path` as the benchmarks run it: an argv, pinned to the app's core under --pin. */
export function catCommand(path: string): string[] {
  return APP_CPU === undefined ? ["cat", path] : ["taskset", "-c", APP_CPU, "cat", path];
}

/** The same as a shell command line (`path` must not contain a single quote). */
export function catShellCommand(path: string): string {
  return catCommand(path).map((word) => `'${word}'`).join(" ");
}

/** Makes the Pty behind one connection (a local pty by default; a holder's app, …). */
export type PtyFactory = () => Pty | Promise<Pty>;

/**
 * A loopback WebSocket server: each connection spawns `argv` on a new pty (or asks `makePty`),
 * wraps it in a PtySession and bridges it with the production socket bridge.
 */
export function serveBridged(
  argv: string[],
  sessionOptions: PtySessionOptions = {},
  bridgeOptions: SocketBridgeOptions = {},
  makePty?: PtyFactory,
) {
  const sessions: PtySession[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    const start = async () => {
      const [file = "bash", ...args] = argv;
      const pty = makePty
        ? await makePty()
        : spawnPty({ file, args, env: BENCH_ENV, cwd: "/tmp", cols: 120, rows: 40 });
      const session = new PtySession(pty, sessionOptions);
      sessions.push(session);
      const bridge = bridgeSocket(session, socket, { cols: 120, rows: 40, ...bridgeOptions });
      socket.onmessage = (event) => bridge.onMessage(event.data);
      socket.onclose = () => bridge.onClose();
    };
    socket.onopen = () => {
      start().catch((error) => {
        print(`bench server: could not start a session for ${argv.join(" ")}: ${error}`);
        socket.close(1011, "could not start the session");
      });
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    async close() {
      await Promise.all(sessions.map((s) => s.close()));
      await server.shutdown();
    },
  };
}

/** The p-th percentile (0–100) of `values`, nearest rank; gaps (NaN: a round left out) skipped. */
export function percentile(values: number[], p: number): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

/** MiB/s for `bytes` in `ms`. */
export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / (1024 * 1024) / (ms / 1000);
}

/**
 * The transport's floor: a loopback WebSocket server that sends `payload` (no pty, no session)
 * in 256 KiB frames paced by the client's acks like the bridge, then the exit message.
 */
export function serveWebSocketOnly(payload: Uint8Array) {
  const ackEveryBytes = BRIDGE_ACK_EVERY_BYTES;
  const frameBytes = 256 * 1024;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    let sent = 0;
    let acked = 0;
    const pump = () => {
      while (sent < payload.length && sent - acked < ackEveryBytes) {
        const frame = payload.subarray(sent, sent + frameBytes);
        socket.send(frame);
        sent += frame.length;
      }
      if (sent === payload.length && acked >= 0) {
        socket.send(encodeServerMessage({ type: "exit", code: 0, signal: null }));
        acked = -Infinity; // the exit goes once
      }
    };
    socket.onopen = () => {
      socket.send(encodeServerMessage({
        type: "hello",
        protocol: TERMINAL_PROTOCOL_VERSION,
        readOnly: true,
        cols: 120,
        rows: 40,
        ackEveryBytes,
      }));
      pump();
    };
    socket.onmessage = (event) => {
      const decoded = typeof event.data === "string" ? decodeClientMessage(event.data) : null;
      if (decoded?.ok && decoded.message.type === "ack") {
        acked += decoded.message.bytes;
        pump();
      }
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/`,
    close: () => server.shutdown(),
  };
}
