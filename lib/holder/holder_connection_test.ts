import { deepEqual, ok } from "node:assert/strict";
import { HolderConnection } from "./holder_connection.ts";
import { frame, Msg, STATUS_PAYLOAD } from "./protocol.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A u64 offset followed by bytes: an output frame's payload. */
function output(offset: number, text: string): Uint8Array {
  const bytes = encoder.encode(text);
  const payload = new Uint8Array(8 + bytes.length);
  new DataView(payload.buffer).setBigUint64(0, BigInt(offset), true);
  payload.set(bytes, 8);
  return frame(Msg.output, payload);
}

function gap(from: number, to: number): Uint8Array {
  const payload = new Uint8Array(16);
  const view = new DataView(payload.buffer);
  view.setBigUint64(0, BigInt(from), true);
  view.setBigUint64(8, BigInt(to), true);
  return frame(Msg.gap, payload);
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) (out.set(part, at), (at += part.length));
  return out;
};

Deno.test("holder connection: the output of one read is handed on as one chunk; a gap splits it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-hc-" });
  const path = `${dir}/holder.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  // A holder that answers the attach, then writes three output frames, a gap, one more output
  // frame and the exit in ONE write, so that the client reads them all at once.
  const holder = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(1024)); // the attach request
    await conn.write(frame(Msg.statusReply, new Uint8Array(STATUS_PAYLOAD)));
    await conn.write(concat(
      output(0, "hello "),
      output(6, "world"),
      output(11, "!"),
      gap(12, 20),
      output(20, "after"),
      frame(Msg.exit, new Uint8Array(16)),
    ));
    return conn;
  })();
  const seen: string[] = [];
  let exited: () => void = () => {};
  const exit = new Promise<void>((resolve) => (exited = resolve));
  const connection = await HolderConnection.connect(path);
  try {
    await connection.attach({ from: 0 }, {
      onOutput: (chunk, offset) => seen.push(`output ${offset} ${decoder.decode(chunk)}`),
      onGap: (from, to) => seen.push(`gap ${from}-${to}`),
      onExit: () => (seen.push("exit"), exited()),
    });
    await exit;
    deepEqual(seen, ["output 0 hello world!", "gap 12-20", "output 20 after", "exit"]);
  } finally {
    connection.close();
    (await holder).close();
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("holder connection: output is acknowledged per quarter of the window, not per read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-hc-" });
  const path = `${dir}/holder.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const chunk = "x".repeat(1000);
  // 20 frames of 1,000 bytes, each in a write of its own (a keystroke's echo is one such read);
  // with a 64 KiB window the client owes an ack only past 16 KiB.
  const holder = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(1024)); // the attach request
    await conn.write(frame(Msg.statusReply, new Uint8Array(STATUS_PAYLOAD)));
    for (let i = 0; i < 20; i++) {
      await conn.write(output(i * 1000, chunk));
      await new Promise((resolve) => setTimeout(resolve, 1)); // separate reads on the client
    }
    const received = new Uint8Array(64);
    const n = await conn.read(received) ?? 0;
    return { conn, first: received.slice(0, n) };
  })();
  const connection = await HolderConnection.connect(path);
  try {
    await connection.attach({ from: 0, window: 65536 }, { onOutput: () => {} });
    const { conn, first } = await holder;
    conn.close();
    deepEqual(first[0], Msg.ack, "the first thing the client sends back is an ack");
    const view = new DataView(first.buffer);
    deepEqual(view.getUint32(1, true), 8);
    const acked = Number(view.getBigUint64(5, true));
    // Reads that came together under load may move it up by a frame or two, never below 16 KiB.
    ok(
      acked > 16384 && acked <= 20000,
      `the first ack came at ${acked} bytes; one is owed only past 16 KiB`,
    );
  } finally {
    connection.close();
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});
