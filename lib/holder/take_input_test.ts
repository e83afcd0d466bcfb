import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { libc } from "../libc/mod.ts";
import { encodeAttach, frame, FrameDecoder, Msg } from "./protocol.ts";
import { spawnHolder } from "./mod.ts";
import { takeHolderInput } from "./take_input.ts";
import { holderBinary, holderTest, Viewer } from "./test_support.ts";

/** The open flags of one of our descriptors, from /proc/self/fdinfo (octal). */
function openFlags(fd: number): number {
  const info = Deno.readTextFileSync(`/proc/self/fdinfo/${fd}`);
  return parseInt(/^flags:\s*([0-7]+)$/m.exec(info)?.[1] ?? "0", 8);
}

/** The frames a raw connection hears after sending `requests`, until the holder closes it. */
async function rawExchange(socketPath: string, requests: Uint8Array[]): Promise<number[]> {
  const conn = await Deno.connect({ transport: "unix", path: socketPath });
  for (const request of requests) await conn.write(request);
  const heard: number[] = [];
  const decoder = new FrameDecoder();
  const buffer = new Uint8Array(4096);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    decoder.push(buffer.subarray(0, n), (type) => heard.push(type));
  }
  conn.close();
  return heard;
}

holderTest(
  "take input: the holder hands over its app's terminal; what is written reaches the app",
  async (t) => {
    const plan = await t.plan(["bash", "-c", 'read a; echo "got $a"; sleep 30']);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const connection = await handle.connect();
    const viewer = new Viewer(connection);
    await connection.attach({}, viewer.handlers);
    const fd = await takeHolderInput(handle.socketPath);
    assert(fd !== null, "the holder handed over a descriptor");
    try {
      assertEquals(Deno.readLinkSync(`/proc/self/fd/${fd}`), "/dev/ptmx", "a pty master");
      const flags = openFlags(fd);
      assert((flags & 0o2000000) !== 0, "close-on-exec: no child of AiKore inherits it");
      assert((flags & 0o4000) !== 0, "non-blocking, as the holder keeps it");
      const line = new TextEncoder().encode("straight\n");
      assertEquals(Number(libc().write(fd, line, BigInt(line.length))), line.length);
      await viewer.waitFor(
        (v) => v.text.includes("got straight"),
        "the app read it; the holder relayed its output",
      );
    } finally {
      libc().close(fd);
      connection.close();
    }
  },
);

holderTest(
  "take input: refused after another request on the same connection, and once the app ended",
  async (t) => {
    const plan = await t.plan(["bash", "-c", "read a"]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const attach = encodeAttach({ from: 0, window: 0, cols: 0, rows: 0, hold: false });
    const heard = await rawExchange(handle.socketPath, [attach, frame(Msg.takeInput)]);
    // The status may be dropped: an error is the last thing a client hears (queued alone).
    assertEquals(heard.at(-1), Msg.error, "no descriptor on an attached connection");
    assert(!heard.includes(Msg.ptyFd));
    const connection = await handle.connect();
    const viewer = new Viewer(connection);
    await connection.attach({}, viewer.handlers);
    await connection.write("\n");
    await viewer.waitFor((v) => v.exit !== null, "the app ended");
    assertEquals(await takeHolderInput(handle.socketPath), null, "the app's terminal is gone");
    connection.close();
  },
);

Deno.test("take input: a holder that does not know the request answers an error; null, nothing leaks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-take-" });
  try {
    // In a process of its own: test files running in parallel share this one's descriptors.
    const script = new URL("./testdata/take_input_refused.ts", import.meta.url).pathname;
    const { success, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script, dir],
      stderr: "inherit",
    }).output();
    assert(success, "the script ran");
    const answer = JSON.parse(new TextDecoder().decode(stdout));
    assertEquals(answer.refused, null);
    assertEquals(answer.missing, null, "no socket: null, not a throw");
    assertEquals(answer.after, answer.before, "no descriptor left open");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("take input: a holder that accepts nobody (a full backlog) gives null at once, never a hang", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-take-" });
  const path = `${dir}/holder.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const waiting: Deno.UnixConn[] = [];
  try {
    for (;;) {
      try {
        waiting.push(await Deno.connect({ transport: "unix", path }));
      } catch (error) {
        if (error instanceof Deno.errors.WouldBlock) break; // the backlog is full
        throw error;
      }
    }
    const started = performance.now();
    assertEquals(await takeHolderInput(path), null);
    assert(performance.now() - started < 1000, "refused by the full backlog, not timed out");
  } finally {
    for (const conn of waiting) conn.close();
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});
