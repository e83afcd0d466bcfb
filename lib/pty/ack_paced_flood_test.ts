import { deepEqual, equal, ok } from "node:assert/strict";
import { spawnPty } from "./spawn_pty.ts";
import { PtySession } from "./pty_session.ts";
import { bridgeSocket } from "./socket_bridge.ts";
import { makeStartGate, TEST_ENV } from "./test_output.ts";
import { AckCounter, encodeClientMessage } from "../shared/terminal_protocol.ts";

const SEED = 20261206;

/** Printable bytes without newlines (a cooked tty passes them unchanged), from a fixed seed. */
function payload(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = 0x21 + (state >>> 24) % 94;
  }
  return out;
}

// The flood starts only after the viewer's hello: output read before an attach is only kept as
// far as the 1 MiB scrollback, which made this test lose the start of the flood at random.
Deno.test(
  `a 4 MB flood arrives byte for byte through ack-paced, gathered frames (seed ${SEED})`,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "aikore-flood-" });
    const expected = payload(4_000_000, SEED);
    await Deno.writeFile(`${dir}/payload`, expected);
    await makeStartGate(`${dir}/go`);
    const pty = spawnPty({
      file: "bash",
      args: [
        "--norc",
        "--noprofile",
        "-c",
        'read -r _ < "$1" && exec cat "$2"',
        "_",
        "go",
        "payload",
      ],
      env: TEST_ENV,
      cwd: dir,
    });
    // The drain must wait for this viewer however long it takes, not for a fixed time.
    const session = new PtySession(pty, { exitDrainMs: 20 });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.binaryType = "arraybuffer";
      socket.onopen = () => {
        const bridge = bridgeSocket(session, socket);
        socket.onmessage = (event) => bridge.onMessage(event.data);
        socket.onclose = () => bridge.onClose();
      };
      return response;
    });
    try {
      const received = new Uint8Array(expected.length + 1024);
      let filled = 0;
      let frames = 0;
      const socket = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
      socket.binaryType = "arraybuffer";
      const acks = new AckCounter();
      let slowAcks = 0;
      const closed = new Promise<void>((resolve) => (socket.onclose = () => resolve()));
      let gate: Promise<void> | null = null;
      let exit: unknown = null;
      let filledAtExit = -1;
      socket.onmessage = (event) => {
        if (typeof event.data === "string") {
          const message = JSON.parse(event.data);
          // The hello goes out just before the attach, in the same turn: the viewer is in.
          if (message.type === "hello") gate = Deno.writeTextFile(`${dir}/go`, "go\n");
          if (message.type === "exit") [exit, filledAtExit] = [message, filled];
          return;
        }
        const bytes = new Uint8Array(event.data as ArrayBuffer);
        received.set(bytes, filled);
        filled += bytes.length;
        frames++;
        const ack = acks.processed(bytes.length);
        // Every fourth ack comes late, so the server has to gather while it waits.
        if (ack && ++slowAcks % 4 === 0) setTimeout(() => socket.send(encodeClientMessage(ack)), 5);
        else if (ack) socket.send(encodeClientMessage(ack));
      };
      await closed;
      await gate;
      deepEqual(exit, { type: "exit", code: 0, signal: null }, "the exit message came");
      equal(filledAtExit, expected.length, "the exit came after the last byte");
      equal(
        filled,
        expected.length,
        `every byte arrived, none twice (${filled} of ${expected.length})`,
      );
      deepEqual(received.subarray(0, filled), expected, "in order and intact");
      ok(frames < expected.length / 4096, `output was gathered into frames (${frames} frames)`);
    } finally {
      await session.close();
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
