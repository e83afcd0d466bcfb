import { deepEqual, equal, ok } from "node:assert/strict";
import { spawnPty } from "./spawn_pty.ts";
import { PtySession } from "./pty_session.ts";
import { bridgeSocket, type SocketBridgeOptions, type SocketSink } from "./socket_bridge.ts";
import { sleep, TEST_ENV, TestOutput } from "./test_output.ts";
import {
  decodeServerMessage,
  encodeClientMessage,
  type TerminalServerMessage,
} from "../shared/terminal_protocol.ts";

function session(script: string | null): PtySession {
  const args = script === null ? ["--norc", "--noprofile", "-i"] : ["-c", script];
  return new PtySession(spawnPty({ file: "bash", args, env: TEST_ENV, cwd: "/tmp" }));
}

/** A real loopback WebSocket server whose sockets are bridged to `s`. */
function serve(s: PtySession, options: SocketBridgeOptions = {}) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      const bridge = bridgeSocket(s, socket, options);
      socket.onmessage = (event) => bridge.onMessage(event.data);
      socket.onclose = () => bridge.onClose();
    };
    return response;
  });
  return { url: `ws://127.0.0.1:${server.addr.port}/`, server };
}

/** A browser-like client: binary frames decoded with one streaming decoder, control parsed. */
class Client {
  socket: WebSocket;
  out = new TestOutput();
  frames: Uint8Array[] = [];
  control: TerminalServerMessage[] = [];
  closed: Promise<CloseEvent>;
  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = "arraybuffer";
    this.socket.onmessage = (event) => {
      if (typeof event.data === "string") {
        const decoded = decodeServerMessage(event.data);
        if (decoded.ok) this.control.push(decoded.message);
        return;
      }
      const frame = new Uint8Array(event.data as ArrayBuffer);
      this.frames.push(frame);
      this.out.add(frame);
      this.socket.send(encodeClientMessage({ type: "ack", bytes: frame.length }));
    };
    this.closed = new Promise((resolve) => this.socket.addEventListener("close", resolve));
  }
  opened(): Promise<void> {
    return new Promise((resolve) => this.socket.addEventListener("open", () => resolve()));
  }
  send(message: Parameters<typeof encodeClientMessage>[0]): void {
    this.socket.send(encodeClientMessage(message));
  }
}

Deno.test("a UTF-8 character split across two frames arrives intact over a WebSocket", async () => {
  const s = session("sleep 0.2; printf 'A\\342\\202'; sleep 0.3; printf '\\254 Z\\n'; exit 0");
  const { url, server } = serve(s);
  try {
    const client = new Client(url);
    await client.out.waitFor("A€ Z");
    ok(
      client.frames.some((f) => f.at(-2) === 0xe2 && f.at(-1) === 0x82),
      "the character really was split between frames",
    );
    const closed = await client.closed;
    equal(closed.code, 1000);
    deepEqual(client.control.at(-1), { type: "exit", code: 0, signal: null });
    equal(client.control[0]?.type, "hello");
  } finally {
    await s.close();
    await server.shutdown();
  }
});

Deno.test("input, resize and the exit code travel through the bridge", async () => {
  const s = session(null);
  const { url, server } = serve(s);
  try {
    const client = new Client(url);
    await client.opened();
    client.send({ type: "resize", cols: 100, rows: 30 });
    client.send({ type: "input", data: "echo SIZE=$(stty size)\r" });
    await client.out.waitFor("SIZE=30 100");
    ok(client.control.some((m) => m.type === "resize" && m.cols === 100 && m.rows === 30));
    client.send({ type: "input", data: "exit 4\r" });
    await client.closed;
    deepEqual(client.control.at(-1), { type: "exit", code: 4, signal: null });
  } finally {
    await s.close();
    await server.shutdown();
  }
});

Deno.test("reattaching over a new socket replays the scrollback", async () => {
  const s = session(null);
  const { url, server } = serve(s);
  try {
    const first = new Client(url);
    await first.opened();
    first.send({ type: "input", data: "echo before-$((6 * 7))\r" });
    await first.out.waitFor("before-42");
    first.socket.close();
    await first.closed;
    const second = new Client(url);
    await second.out.waitFor("before-42");
    await sleep(50);
    equal(s.viewerCount, 1, "the first viewer was detached on close");
    second.socket.close();
    await second.closed;
  } finally {
    await s.close();
    await server.shutdown();
  }
});

/** An in-memory sink, for protocol details that need no network. */
class RecordingSink implements SocketSink {
  text: TerminalServerMessage[] = [];
  binary = new TestOutput();
  closedWith: number | undefined;
  send(data: string | Uint8Array | ArrayBuffer): void {
    if (typeof data === "string") {
      const decoded = decodeServerMessage(data);
      if (!decoded.ok) throw new Error(`server sent an invalid message: ${decoded.error}`);
      this.text.push(decoded.message);
    } else this.binary.add(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  }
  close(code?: number): void {
    this.closedWith = code;
  }
  errors(): string[] {
    return this.text.flatMap((m) => (m.type === "error" ? [m.message] : []));
  }
}

Deno.test("a read-only viewer cannot type, and allowInput gates input live", async () => {
  const s = session(null);
  try {
    const owner = new RecordingSink();
    bridgeSocket(s, owner, { viewerId: "owner" });
    const watcher = new RecordingSink();
    const ro = bridgeSocket(s, watcher, { viewerId: "ro", readOnly: true });
    let allowed = false;
    const consoleSink = new RecordingSink();
    const con = bridgeSocket(s, consoleSink, { viewerId: "con", allowInput: () => allowed });
    ro.onMessage(encodeClientMessage({ type: "input", data: "echo FROM-RO\r" }));
    con.onMessage(encodeClientMessage({ type: "input", data: "echo FROM-OFF\r" }));
    allowed = true;
    con.onMessage(encodeClientMessage({ type: "input", data: "echo FROM-ON\r" }));
    await owner.binary.waitFor("\rFROM-ON\r\n");
    ok(!owner.binary.text.includes("FROM-RO"));
    ok(!owner.binary.text.includes("FROM-OFF"));
    deepEqual(watcher.errors(), ["Input is switched off for this view"]);
    equal(consoleSink.errors().length, 1);
    ok(watcher.text[0]?.type === "hello" && watcher.text[0].readOnly);
  } finally {
    await s.close();
  }
});

Deno.test("malformed frames get an error reply and change nothing", async () => {
  const s = session(null);
  try {
    const sink = new RecordingSink();
    const bridge = bridgeSocket(s, sink);
    bridge.onMessage("not json");
    bridge.onMessage(JSON.stringify({ type: "resize", cols: 0, rows: 10 }));
    bridge.onMessage(JSON.stringify({ type: "launch-missiles" }));
    equal(sink.errors().length, 3);
    ok(sink.errors().every((e) => e.startsWith("Bad message: ")));
    equal(s.size.cols, 0);
  } finally {
    await s.close();
  }
});

Deno.test("binary and Blob frames are raw input, kept in order", async () => {
  const s = session(null);
  try {
    const sink = new RecordingSink();
    const bridge = bridgeSocket(s, sink);
    const encode = (text: string) => new TextEncoder().encode(text);
    bridge.onMessage(new Blob([encode("echo ONE")]));
    bridge.onMessage(encode("-TWO"));
    bridge.onMessage(encodeClientMessage({ type: "input", data: "-THREE\r" }));
    await sink.binary.waitFor("\rONE-TWO-THREE\r\n");
  } finally {
    await s.close();
  }
});

Deno.test("a client that stops acking pauses the pty; its acks resume it", async () => {
  const s = session("yes");
  try {
    const sink = new RecordingSink();
    const bridge = bridgeSocket(s, sink, { viewerId: "v" });
    for (let i = 0; i < 300 && !s.readPaused; i++) await sleep(10);
    ok(s.readPaused, "no acks: the read loop pauses at the high mark");
    // Each ack of what arrived releases the batch gathered meanwhile; acking that resumes.
    let acked = 0;
    for (let i = 0; i < 5 && (s.readPaused || acked < sink.binary.bytes); i++) {
      const bytes = sink.binary.bytes - acked;
      acked += bytes;
      bridge.onMessage(encodeClientMessage({ type: "ack", bytes }));
    }
    ok(!s.readPaused, "acking everything that arrived resumes the read loop");
    equal(acked, sink.binary.bytes, "nothing is held back once the client caught up");
    bridge.onMessage(encodeClientMessage({ type: "pause" }));
    ok(s.readPaused, "an explicit pause holds the stream");
    bridge.onMessage(encodeClientMessage({ type: "resume" }));
    ok(!s.readPaused);
    bridge.onClose();
    equal(s.viewerCount, 0);
  } finally {
    await s.close();
  }
});
