/**
 * A console client that acks bytes it never reads must not make AiKore buffer without bound:
 * its unread output (the socket's bufferedAmount) is capped, then it is dropped with a reason,
 * the program keeps running, and a new viewer can attach.
 */
import { equal, ok } from "node:assert/strict";
import { spawnPty } from "./spawn_pty.ts";
import { PtySession } from "./pty_session.ts";
import { bridgeSocket, SLOW_VIEWER_CLOSE_CODE, type SocketBridge } from "./socket_bridge.ts";
import { sleep, TEST_ENV } from "./test_output.ts";
import { openLyingViewer } from "./testdata/lying_viewer.ts";

const CAP = 1024 * 1024;

Deno.test("a viewer that acks without reading is dropped once 1 MiB is unread; AiKore's buffer stays bounded and the viewer can reattach", async () => {
  const session = new PtySession(
    spawnPty({
      file: "bash",
      args: ["-c", "yes 'a flood line of output, 48 bytes long .......'"],
      env: TEST_ENV,
      cwd: "/tmp",
    }),
    { slowViewer: "drop" },
  );
  let bridge: SocketBridge | null = null;
  let socket: WebSocket | null = null;
  let maxBuffered = 0;
  let largestFrame = 0;
  let closeCode = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const upgraded = Deno.upgradeWebSocket(request);
    socket = upgraded.socket;
    const ws = upgraded.socket;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      const sink = {
        send: (data: string | Uint8Array | ArrayBuffer) => {
          const size = typeof data === "string" ? data.length : data.byteLength;
          largestFrame = Math.max(largestFrame, size);
          ws.send(data);
          maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
        },
        close: (code?: number, reason?: string) => {
          closeCode = code ?? 0;
          ws.close(code, reason);
        },
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
      };
      bridge = bridgeSocket(session, sink, { maxUnreadBytes: CAP });
      ws.onmessage = (event) => bridge?.onMessage(event.data);
      ws.onclose = () => bridge?.onClose();
    };
    return upgraded.response;
  });
  const liar = await openLyingViewer(server.addr.port);
  try {
    const end = performance.now() + 20_000;
    while (!(bridge as SocketBridge | null)?.dropReason && performance.now() < end) {
      await sleep(20);
    }
    const dropped = bridge as SocketBridge | null;
    ok(dropped?.dropReason, "the lying viewer was dropped");
    ok(/viewer too slow: \d+ KiB of output unread; reconnect to resume/.test(dropped.dropReason));
    equal(closeCode, SLOW_VIEWER_CLOSE_CODE);
    ok(liar.acksSent() > 0, "the viewer did ack");
    ok(
      // Checked after every send: never more than the cap plus the frame just queued (a
      // scrollback replay frame can be larger than a live-output frame).
      maxBuffered <= CAP + largestFrame,
      `AiKore buffered at most the cap plus one frame (${maxBuffered} ≤ ${CAP} + ${largestFrame})`,
    );
    equal(session.viewerCount, 0, "the dropped viewer no longer receives output");
    // Output keeps flowing to the log and nothing more is queued for the dropped socket.
    const buffered = (socket as WebSocket | null)?.bufferedAmount ?? 0;
    await sleep(300);
    ok(((socket as WebSocket | null)?.bufferedAmount ?? 0) <= buffered, "no growth after the drop");
    equal(session.exitStatus, null, "the program keeps running");

    // A reconnect attaches again.
    const detach = session.attach({
      id: "again",
      cols: 80,
      rows: 24,
      send: () => {},
      onExit: () => {},
    });
    equal(session.viewerCount, 1);
    detach();
  } finally {
    liar.close();
    session.kill("SIGKILL");
    await session.exited;
    await server.shutdown();
  }
});
