import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { encodeAck, encodeAttach, frame, FROM_NOW, Msg } from "./protocol.ts";
import { HolderConnection, spawnHolder } from "./mod.ts";
import { holderBinary, holderTest, isAlive, rssKiB, sleep, Viewer } from "./test_support.ts";
import { seededRandom } from "../../tests/helpers/seeded_random.ts";

const SEED = 20261206;
const COUNT = 2_000_000;

/** One client that attaches with random settings, reads a little, and vanishes abruptly. */
async function flakyClient(socketPath: string, next: () => number): Promise<void> {
  const socket = await Deno.connect({ transport: "unix", path: socketPath });
  try {
    const from = next() < 0.5 ? 0 : FROM_NOW;
    const window = [0, 4096, 65536][Math.floor(next() * 3)] ?? 0;
    const hold = next() < 0.5;
    await socket.write(encodeAttach({ from, window, cols: 80, rows: 24, hold }));
    if (next() < 0.3) await socket.write(frame(Msg.pause));
    const buffer = new Uint8Array(1 + Math.floor(next() * 100_000));
    for (let reads = Math.floor(next() * 4); reads > 0; reads--) {
      // A paused or window-bound client may get nothing: never wait more than 50 ms.
      const got = await Promise.race([socket.read(buffer), sleep(50).then(() => "idle" as const)]);
      if (got === null || got === "idle") break;
    }
    if (next() < 0.5) await socket.write(encodeAck(Math.floor(next() * 1_000_000)));
    await sleep(Math.floor(next() * 20));
  } catch {
    // the holder may drop a misbehaving client; the point is what happens to the app
  } finally {
    socket.close(); // with unread data: the holder sees a reset, as after a kill -9
  }
}

holderTest(
  `holder: clients vanishing at random moments never disturb the app or the log (seed ${SEED})`,
  async (t) => {
    const plan = await t.plan(["seq", "1", String(COUNT)]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const watcher = await HolderConnection.connect(handle.socketPath);
    const viewer = new Viewer(watcher);
    await watcher.attach({ from: "now", window: 0 }, viewer.handlers);
    const next = seededRandom(SEED);
    let rounds = 0;
    let peakKiB = 0;
    while (viewer.exit === null && rounds < 200) {
      await flakyClient(handle.socketPath, next);
      peakKiB = Math.max(peakKiB, rssKiB(handle.holderPid));
      rounds++;
    }
    assert(rounds >= 5, `only ${rounds} rounds ran before the app ended`);
    await viewer.waitFor((v) => v.exit !== null, "the app's exit", 60_000);
    assertEquals(viewer.exit?.code, 0);
    assert(peakKiB <= 5 * 1024, `holder RSS peaked at ${peakKiB} KiB`);
    const log = Deno.readTextFileSync(plan.logPath);
    const expected = Array.from({ length: COUNT }, (_, i) => `${i + 1}\r\n`).join("");
    assert(
      log === expected,
      `the log differs from seq's output (${log.length} vs ${expected.length} chars)`,
    );
    watcher.close();
    await watcher.closed;
    assert(!isAlive(handle.appPid));
  },
);
