import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { encodeAttach, FrameDecoder, FROM_NOW, Msg } from "./protocol.ts";
import { HolderConnection, type HolderExit, type HolderHandle, spawnHolder } from "./mod.ts";
import { holderBinary, holderTest, isAlive, rssKiB, until } from "./test_support.ts";

const MiB = 1024 * 1024;
/** base64 of 30 MB of zeros in 76-column lines; the tty turns each "\n" into "\r\n". */
const RAW = 30_000_000;
const LINES = Math.ceil(Math.ceil(RAW / 3) * 4 / 76);
const OUTPUT = Math.ceil(RAW / 3) * 4 + LINES * 2;

async function statusUntil(connection: HolderConnection, head: number) {
  const deadline = Date.now() + 120_000;
  let status = await connection.status();
  while (status.head < head && Date.now() < deadline) status = await connection.status();
  return status;
}

async function stop(handle: HolderHandle): Promise<void> {
  const connection = await handle.connect();
  await connection.signal("SIGKILL", "session");
  connection.close();
  await until(() => !isAlive(handle.holderPid), "the holder exits");
}

holderTest(
  "holder flood: a stalled client costs no memory; the log keeps every byte and rotates",
  async (t) => {
    const plan = await t.plan(["bash", "-c", `head -c ${RAW} /dev/zero | base64 -w 76; sleep 60`], {
      logMaxBytes: 8 * MiB,
    });
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    // The stalled client: attaches, then never reads a byte.
    const stalled = await Deno.connect({ transport: "unix", path: handle.socketPath });
    await stalled.write(encodeAttach({ from: FROM_NOW, window: 0, cols: 0, rows: 0, hold: false }));
    const control = await handle.connect();
    await statusUntil(control, 3 * MiB); // the 1 MiB scrollback is full, the client's socket too
    const early = rssKiB(handle.holderPid);
    const status = await statusUntil(control, OUTPUT);
    const late = rssKiB(handle.holderPid);
    assertEquals(status.head, OUTPUT);
    assertEquals(status.logDroppedBytes, 0);
    assertEquals(status.exit, null);
    assert(late - early <= 200, `holder RSS grew from ${early} to ${late} KiB during the flood`);
    assert(late <= 5 * 1024, `holder RSS ${late} KiB is within 5 MiB`);
    const sizes = ["", ".1", ".2"].map((suffix) => Deno.statSync(plan.logPath + suffix).size);
    assertEquals(sizes, [OUTPUT % (8 * MiB), 8 * MiB, 8 * MiB], "live log holds the remainder");
    const tail = Deno.readTextFileSync(plan.logPath).slice(-80);
    assert(/A+=*\r\n$/.test(tail), `the log ends with the last line: ${JSON.stringify(tail)}`);

    // When the client reads again it learns what it missed, then gets the recent tail. On a
    // busy machine the holder may read so much at once that the client falls behind the ring
    // while its socket still had room: an earlier gap, then another once it reads again. The
    // last gap always resumes at the recent tail, and from there every byte arrives in order.
    const decoder = new FrameDecoder();
    const buffer = new Uint8Array(65536);
    const gaps: Array<[number, number]> = [];
    let next = -1;
    while (next < OUTPUT) {
      const n = await stalled.read(buffer);
      if (n === null) throw new Error("the holder closed the stalled client");
      decoder.push(buffer.subarray(0, n), (type, payload) => {
        const view = new DataView(payload.buffer, payload.byteOffset);
        if (type === Msg.gap) {
          const gap: [number, number] = [
            Number(view.getBigUint64(0, true)),
            Number(view.getBigUint64(8, true)),
          ];
          gaps.push(gap);
          next = gap[1];
        } else if (type === Msg.output && gaps.length > 0) {
          const at = Number(view.getBigUint64(0, true));
          assertEquals(at, next, "output after the gap is contiguous");
          next = at + payload.length - 8;
        }
      });
    }
    const [from, to] = gaps.at(-1) ?? [0, 0];
    assert(from < to && to === OUTPUT - MiB / 4, `gap ${from}–${to} resumes at the recent tail`);
    assertEquals(next, OUTPUT, "the client got every byte up to the end");
    stalled.close();
    control.close();
    await stop(handle);
  },
);

holderTest(
  "holder: orphans of the app stay under the holder (subreaper) and a session signal reaches them",
  async (t) => {
    const plan = await t.plan([
      "bash",
      "-c",
      // The pause lets nohup ignore SIGHUP before the app's exit hangs up the terminal.
      'nohup sleep 60 >/dev/null 2>&1 & echo "bg $!"; sleep 0.3; exit 3',
    ]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const connection = await handle.connect();
    let text = "";
    const ended: HolderExit[] = [];
    await connection.attach({ from: 0 }, {
      onOutput: (chunk) => (text += new TextDecoder().decode(chunk)),
      onExit: (exit) => ended.push(exit),
    });
    await until(() => ended.length === 1, "the app's exit");
    assertEquals([ended[0]?.code, ended[0]?.signal], [3, null]);
    const orphan = Number(/bg (\d+)/.exec(text)?.[1]);
    const stat = Deno.readTextFileSync(`/proc/${orphan}/stat`);
    assertEquals(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), handle.holderPid);
    assertEquals(await connection.signal("SIGKILL", "session"), 1);
    await until(() => !isAlive(orphan), "the orphan is gone");
    connection.close();
    await until(() => !isAlive(handle.holderPid), "the holder exits");
  },
);

/** Attaches a raw client from offset 0; returns every output payload size and the bytes. */
async function replayFrames(handle: HolderHandle, largeFrames: boolean, total: number) {
  const conn = await Deno.connect({ transport: "unix", path: handle.socketPath });
  await conn.write(
    encodeAttach({ from: 0, window: 0, cols: 0, rows: 0, hold: false, largeFrames }),
  );
  const decoder = new FrameDecoder();
  const sizes: number[] = [];
  const bytes = new Uint8Array(total);
  let received = 0;
  while (received < total) {
    const room = decoder.space();
    const n = await conn.read(room);
    if (n === null) throw new Error("the holder closed the connection");
    decoder.commit(n, (type, payload) => {
      if (type !== Msg.output) return;
      const at = Number(new DataView(payload.buffer, payload.byteOffset).getBigUint64(0, true));
      bytes.set(payload.subarray(8), at);
      sizes.push(payload.length - 8);
      received += payload.length - 8;
    });
  }
  conn.close();
  return { sizes, bytes };
}

holderTest(
  "holder: a client that asks for large frames gets up to 256 KiB per frame, others 64 KiB",
  async (t) => {
    const raw = 600_000;
    const output = Math.ceil(raw / 3) * 4 + Math.ceil(Math.ceil(raw / 3) * 4 / 76) * 2;
    const plan = await t.plan([
      "bash",
      "-c",
      `head -c ${raw} /dev/urandom | base64 -w 76; sleep 60`,
    ]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const control = await handle.connect();
    assertEquals((await statusUntil(control, output)).head, output, "all of it is in the ring");
    const large = await replayFrames(handle, true, output);
    const small = await replayFrames(handle, false, output);
    assertEquals(Math.max(...large.sizes), 256 * 1024, "a replay from the ring: full large frames");
    assertEquals(Math.max(...small.sizes), 64 * 1024);
    assertEquals(large.bytes, small.bytes, "the same bytes either way");
    control.close();
    await stop(handle);
  },
);
