import type { HolderExit } from "./protocol.ts";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { isSameProcess } from "../process/mod.ts";
import { findHolders, HolderConnection, readExitRecord, spawnHolder } from "./mod.ts";
import {
  counterArgv,
  counterLines,
  holderBinary,
  holderTest,
  isAlive,
  until,
  Viewer,
} from "./test_support.ts";

const decoder = new TextDecoder();

/** Reads lines from a child's stdout until `test` accepts one. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  test: (line: string) => boolean,
): Promise<string> {
  let pending = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`client ended before the expected line; last: ${pending}`);
    pending += decoder.decode(value);
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    const hit = lines.find(test);
    if (hit !== undefined) return hit;
  }
}

holderTest(
  "holder: the app outlives a kill -9 of its client; log and replay have every line; TERM stops it",
  async (t) => {
    const binary = await holderBinary();
    const plan = await t.plan(counterArgv("0.1"));
    const client = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        new URL("./testdata/detached_client.ts", import.meta.url).pathname,
        JSON.stringify(plan),
        binary,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = client.stdout.getReader();
    const ready = await readUntil(reader, (line) => line.startsWith("ready "));
    const [holderPid, appPid] = ready.split(" ").slice(1).map(Number) as [number, number];
    await readUntil(reader, (line) => line === "seen 5");

    client.kill("SIGKILL"); // AiKore's crash: no chance to clean anything up
    await client.status;
    reader.releaseLock();
    await client.stdout.cancel();

    const [found] = findHolders(`${plan.cwd}`); // the temp root holds exactly one runtime folder
    assert(found?.state === "running", `holder found running, got ${JSON.stringify(found)}`);
    assertEquals(found.handle.holderPid, holderPid);
    assertEquals(found.handle.appPid, appPid);
    assert(found.appAlive && isSameProcess(appPid, found.handle.appStartTicks, plan.marker));

    // Lines written while no client is connected must reach the log and the next attach.
    await until(
      () => (counterLines(Deno.readTextFileSync(plan.logPath)).at(-1) ?? 0) >= 20,
      "line 20 is logged",
    );
    const connection = await found.handle.connect();
    const viewer = new Viewer(connection);
    const status = await connection.attach({ from: 0 }, viewer.handlers);
    assertEquals(status.exit, null);
    assertEquals(status.appPid, appPid);
    await viewer.waitFor((v) => (counterLines(v.text).at(-1) ?? 0) >= 22, "line 22 live");
    const replayed = counterLines(viewer.text);
    assertEquals(
      replayed,
      replayed.map((_, index) => index + 1),
      "replay from 0 has lines 1… with no gap",
    );
    assertEquals(viewer.gaps, []);

    assertEquals(await connection.signal("SIGTERM"), 1);
    await viewer.waitFor((v) => v.exit !== null, "the exit message");
    assertEquals(viewer.exit?.signal, 15);
    assertEquals(viewer.exit?.code, null);
    const logged = counterLines(Deno.readTextFileSync(plan.logPath));
    assertEquals(logged, logged.map((_, index) => index + 1), "the log has every line, no gap");
    assert(logged.length >= replayed.length);
    assertEquals(isAlive(appPid), false);

    connection.close();
    await connection.closed;
    await until(() => !isAlive(holderPid), "the holder exits after its last client left");
    assertEquals(readExitRecord(plan.dir)?.signal, 15);
    assertEquals((Deno.statSync(`${plan.dir}`).mode ?? 0) & 0o777, 0o700);
  },
);

holderTest(
  "holder: an app that ends with no client attached leaves its exit code for the next client",
  async (t) => {
    const binary = await holderBinary();
    const plan = await t.plan(["bash", "-c", "echo bye; exit 7"]);
    const handle = await spawnHolder(plan, { binary });
    // It ends before anybody attached: the holder waits for its first client (AiKore, which
    // may be slow to connect) and tells it the exit, then goes.
    await until(() => readExitRecord(plan.dir) !== null, "the exit is recorded");
    assert(isAlive(handle.holderPid), "the holder waits for a first client");
    const connection = await handle.connect();
    const exit = await new Promise<HolderExit>((resolve, reject) => {
      connection.attach({ from: 0 }, { onOutput() {}, onExit: resolve }).catch(reject);
    });
    assertEquals([exit.code, exit.signal], [7, null]);
    connection.close();
    await until(() => !isAlive(handle.holderPid), "the holder exits once its client left");
    const [found] = findHolders(plan.cwd);
    assert(found?.state === "exited", JSON.stringify(found));
    assertEquals(found.exit.code, 7);
    assertEquals(found.exit.signal, null);
    assert(Math.abs(found.exit.endedAt - Date.now()) < 60_000, "endedAt is a wall-clock time");
    assert(Deno.readTextFileSync(plan.logPath).includes("bye"));
  },
);

holderTest(
  "holder: SIGTERM to the holder (container stop) stops the app and records it",
  async (t) => {
    const binary = await holderBinary();
    const plan = await t.plan(counterArgv("0.05"));
    const handle = await spawnHolder(plan, { binary });
    await until(() => Deno.readTextFileSync(plan.logPath).includes("line 2"), "output");
    Deno.kill(handle.holderPid, "SIGTERM");
    await until(() => !isAlive(handle.holderPid) && !isAlive(handle.appPid), "both ended");
    assertEquals(readExitRecord(plan.dir)?.signal, 15);
  },
);

holderTest("holder: a connection to a holder that is gone fails cleanly", async (t) => {
  const plan = await t.plan(["true"]);
  Deno.mkdirSync(plan.dir, { recursive: true });
  let failed = false;
  await HolderConnection.connect(`${plan.dir}/holder.sock`).catch(() => (failed = true));
  assert(failed);
});
