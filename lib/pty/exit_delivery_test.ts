import { deepEqual, equal, match, ok } from "node:assert/strict";
import { spawnPty } from "./spawn_pty.ts";
import { PtySession, type PtySessionOptions, type PtyViewer } from "./pty_session.ts";
import { bridgeSocket, SLOW_VIEWER_CLOSE_CODE } from "./socket_bridge.ts";
import { makeStartGate, TEST_ENV, TestOutput } from "./test_output.ts";
import { AckCounter, encodeClientMessage } from "../shared/terminal_protocol.ts";
import type { ExitStatus } from "./pty.ts";

/** 600 KB of x, then a marker line, then exit 4: more than a console viewer's window. */
const FLOOD = "head -c 600000 /dev/zero | tr '\\0' x; printf '\\nTHE-END\\n'; exit 4";
const CONSOLE: PtySessionOptions = {
  slowViewer: "drop",
  highWaterBytes: 64 * 1024,
  lowWaterBytes: 16 * 1024,
  exitDrainMs: 20,
};

/** The same through a socket: the low water mark must exceed the client's 64 KiB ack interval. */
const SOCKET_CONSOLE: PtySessionOptions = {
  slowViewer: "drop",
  highWaterBytes: 160 * 1024,
  lowWaterBytes: 128 * 1024,
  exitDrainMs: 20,
};

/** An interactive terminal's session with small windows, giving up on a viewer after `ms`. */
const terminalWaiting = (stalledViewerMs: number): PtySessionOptions => ({
  slowViewer: "pause",
  highWaterBytes: 64 * 1024,
  lowWaterBytes: 16 * 1024,
  stalledViewerMs,
});

/** A flood that starts only when `go()` is called, so that viewers attach first. */
async function gatedSession(script: string, options: PtySessionOptions) {
  const dir = await Deno.makeTempDir({ prefix: "aikore-exit-" });
  await makeStartGate(`${dir}/go`);
  const pty = spawnPty({
    file: "bash",
    args: ["--norc", "--noprofile", "-c", `read -r _ < go && { ${script}; }`],
    env: TEST_ENV,
    cwd: dir,
  });
  const session = new PtySession(pty, options);
  return {
    session,
    go: () => Deno.writeTextFile(`${dir}/go`, "go\n"),
    async cleanup() {
      await session.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

class Viewer implements PtyViewer {
  out = new TestOutput();
  received = 0;
  exits: ExitStatus[] = [];
  drops: string[] = [];
  cols = 80;
  rows = 24;
  #dropped: (reason: string) => void = () => {};
  dropped = new Promise<string>((resolve) => (this.#dropped = resolve));
  /** With `session`, the viewer acks each chunk as it takes it (one that keeps up). */
  constructor(readonly id: string, readonly session?: PtySession) {}
  send(chunk: Uint8Array): void {
    this.received += chunk.length;
    this.out.add(chunk);
    this.session?.ack(this.id, chunk.length);
  }
  onExit(status: ExitStatus): void {
    this.exits.push(status);
  }
  onDrop(reason: string): void {
    this.drops.push(reason);
    this.#dropped(reason);
  }
}

Deno.test("a console viewer behind at the exit gets the end at its own pace, then the exit", async () => {
  const run = await gatedSession(FLOOD, CONSOLE);
  try {
    const slow = new Viewer("slow");
    run.session.attach(slow);
    await run.go();
    deepEqual(await run.session.exited, { code: 4, signal: null });
    // The drain is over; this viewer has acked nothing and missed the end.
    deepEqual(slow.exits, [], "no exit before the viewer has the end");
    ok(!slow.out.text.includes("THE-END"), "the viewer was skipped while it lagged");
    equal(run.session.viewerCount, 1, "the viewer is still attached");
    // It catches up in small steps, one event-loop turn apart.
    let steps = 0;
    while (slow.exits.length === 0) {
      run.session.ack("slow", 4096);
      steps++;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    ok(steps > 5, `the viewer caught up in ${steps} acks`);
    match(slow.out.text, /THE-END\r\n$/, "the end of the output arrived before the exit");
    deepEqual(slow.exits, [{ code: 4, signal: null }]);
  } finally {
    await run.cleanup();
  }
});

/** Attaches a viewer that never acks and one that keeps up, then lets the flood go. */
async function stalledAndKeeping(run: Awaited<ReturnType<typeof gatedSession>>) {
  const stalled = new Viewer("stalled");
  const keeping = new Viewer("keeping", run.session);
  run.session.attach(stalled);
  run.session.attach(keeping);
  await run.go();
  return { stalled, keeping };
}

Deno.test("a stalled console viewer is dropped with a reason; the others get their exit at once", async () => {
  const run = await gatedSession(FLOOD, { ...CONSOLE, stalledViewerMs: 200 });
  try {
    const { stalled, keeping } = await stalledAndKeeping(run);
    deepEqual(await run.session.exited, { code: 4, signal: null });
    deepEqual(keeping.exits, [{ code: 4, signal: null }], "a viewer that kept up is not held");
    match(keeping.out.text, /THE-END\r\n$/);
    deepEqual(stalled.exits, []);
    const reason = await stalled.dropped;
    match(reason, /^viewer stalled: no ack for 0\.2 s after the program exited \(\d+ KiB unread\)/);
    ok(new TextEncoder().encode(reason).length <= 123, "fits a WebSocket close reason");
    deepEqual(stalled.exits, [], "a dropped viewer is not told an exit it did not see");
    equal(run.session.viewerCount, 1, "the stalled viewer no longer holds the session");
  } finally {
    await run.cleanup();
  }
});

/**
 * A real WebSocket client on a bridged console. With `ack` it acknowledges what it read, but
 * only once the program has exited (so it is surely behind then), each ack from a late timer.
 */
async function consoleSocket(run: Awaited<ReturnType<typeof gatedSession>>, ack: boolean) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => {
      const bridge = bridgeSocket(run.session, socket, { readOnly: true });
      socket.onmessage = (event) => bridge.onMessage(event.data);
      socket.onclose = () => bridge.onClose();
    };
    return response;
  });
  const socket = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  socket.binaryType = "arraybuffer";
  const out = new TestOutput();
  const messages: { type: string }[] = [];
  const acks = new AckCounter();
  let gate: Promise<void> | null = null;
  const closed = new Promise<CloseEvent>((resolve) => (socket.onclose = resolve));
  socket.onmessage = (event) => {
    if (typeof event.data === "string") {
      const message = JSON.parse(event.data);
      messages.push(message);
      if (message.type === "hello") gate = run.go();
      return;
    }
    const bytes = new Uint8Array(event.data as ArrayBuffer);
    out.add(bytes);
    const message = ack ? acks.processed(bytes.length) : null;
    if (message) exited.then(() => setTimeout(() => socket.send(encodeClientMessage(message)), 2));
  };
  const exited = run.session.exited.then(() => {
    const rest = ack ? acks.flush() : null;
    if (rest) socket.send(encodeClientMessage(rest));
  });
  const close = await closed;
  await gate;
  await server.shutdown();
  return { close, out, messages };
}

Deno.test("through a WebSocket: a slow console viewer gets the end and the exit", async () => {
  const run = await gatedSession(FLOOD, SOCKET_CONSOLE);
  try {
    const { close, out, messages } = await consoleSocket(run, true);
    match(out.text, /THE-END\r\n$/, "the last line reached the viewer");
    deepEqual(messages.at(-1), { type: "exit", code: 4, signal: null });
    // Deno's client reports 0 now and then for a normal close racing its own late acks.
    ok(close.code !== SLOW_VIEWER_CLOSE_CODE, `not dropped (close ${close.code} ${close.reason})`);
  } finally {
    await run.cleanup();
  }
});

Deno.test("through a WebSocket: a console viewer that never acks is closed as stalled", async () => {
  const run = await gatedSession(FLOOD, { ...SOCKET_CONSOLE, stalledViewerMs: 200 });
  try {
    const { close, out, messages } = await consoleSocket(run, false);
    equal(close.code, SLOW_VIEWER_CLOSE_CODE);
    match(close.reason, /^viewer stalled: no ack for 0\.2 s after the program exited/);
    ok(!out.text.includes("THE-END"), "it never caught up");
    ok(!messages.some((m) => m.type === "exit"), "no exit message for output it did not see");
    equal(run.session.viewerCount, 0);
  } finally {
    await run.cleanup();
  }
});

Deno.test("a terminal viewer that stops acking is dropped, and the program goes on for the others", async () => {
  const script = "head -c 2000000 /dev/zero | tr '\\0' x; printf '\\nDONE\\n'; exit 0";
  const run = await gatedSession(script, terminalWaiting(200));
  try {
    const { stalled, keeping } = await stalledAndKeeping(run);
    const reason = await stalled.dropped;
    match(reason, /^viewer stalled: no ack for 0\.2 s while the terminal waited for it \(\d+ KiB/);
    ok(new TextEncoder().encode(reason).length <= 123, "fits a WebSocket close reason");
    deepEqual(await run.session.exited, { code: 0, signal: null });
    ok(stalled.received < 2_000_000, "the stalled viewer stopped getting output");
    equal(keeping.out.text.split("x").length - 1, 2_000_000, "the other viewer got every byte");
    match(keeping.out.text, /DONE\r\n$/);
    deepEqual(keeping.exits, [{ code: 0, signal: null }]);
    equal(run.session.viewerCount, 1);
  } finally {
    await run.cleanup();
  }
});

Deno.test("a terminal viewer that asked for a pause is not dropped as stalled", async () => {
  const run = await gatedSession(
    "head -c 300000 /dev/zero | tr '\\0' x; exit 0",
    terminalWaiting(50),
  );
  try {
    const paused = new Viewer("paused");
    run.session.attach(paused);
    run.session.setViewerPaused("paused", true);
    await run.go();
    // Held by the user's pause for many stall periods: still attached, the program waits.
    await new Promise((resolve) => setTimeout(resolve, 400));
    equal(run.session.viewerCount, 1);
    deepEqual(paused.drops, []);
    ok(run.session.readPaused, "the program waits for the paused viewer");
    run.session.setViewerPaused("paused", false);
    let exited = false;
    run.session.exited.then(() => (exited = true), () => {});
    while (!exited) {
      run.session.ack("paused", paused.received);
      paused.received = 0;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    deepEqual(paused.exits, [{ code: 0, signal: null }]);
  } finally {
    await run.cleanup();
  }
});
