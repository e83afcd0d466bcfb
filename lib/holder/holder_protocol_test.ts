import { assert, assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { encodeLaunchSpec } from "./launch_spec.ts";
import { dirname } from "node:path";
import { existsSync } from "node:fs";
import {
  encodeSignal,
  frame,
  FrameDecoder,
  MAX_HOLDER_PAYLOAD,
  Msg,
  SIGNAL_TARGET,
} from "./protocol.ts";
import { seededRandom } from "../../tests/helpers/seeded_random.ts";
import { type HolderHandle, spawnHolder } from "./mod.ts";
import { holderBinary, holderTest, isAlive, until, Viewer } from "./test_support.ts";

Deno.test("protocol: frames split at every byte boundary decode the same", () => {
  const frames = [
    frame(Msg.output, Uint8Array.of(1, 2, 3)),
    frame(Msg.exit, new Uint8Array(16)),
    frame(Msg.gap, new Uint8Array(16)),
  ];
  const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  frames.reduce((at, f) => (stream.set(f, at), at + f.length), 0);
  for (let cut = 0; cut <= stream.length; cut++) {
    const decoder = new FrameDecoder();
    const seen: string[] = [];
    const collect = (type: number, payload: Uint8Array) =>
      seen.push(`${type}:${[...payload].join(",")}`);
    decoder.push(stream.subarray(0, cut), collect);
    decoder.push(stream.subarray(cut), collect);
    assertEquals(seen, [
      `${Msg.output}:1,2,3`,
      `${Msg.exit}:${"0,".repeat(15)}0`,
      `${Msg.gap}:${"0,".repeat(15)}0`,
    ], `cut at ${cut}`);
  }
});

Deno.test("protocol: frames read in place, in reads of any size, decode the same (seed 4242)", () => {
  const random = seededRandom(4242);
  const sizes = [0, 1, 13, 4096, 65536, MAX_HOLDER_PAYLOAD];
  const frames = Array.from({ length: 40 }, (_, i) => {
    const payload = new Uint8Array(sizes[Math.floor(random() * sizes.length)] as number);
    payload.fill(i);
    return frame(Msg.output, payload);
  });
  const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  frames.reduce((at, f) => (stream.set(f, at), at + f.length), 0);
  const decoder = new FrameDecoder();
  const seen: string[] = [];
  for (let at = 0; at < stream.length;) {
    const room = decoder.space();
    assert(room.length >= 5 + MAX_HOLDER_PAYLOAD, "room for a whole largest frame");
    const count = Math.min(room.length, stream.length - at, 1 + Math.floor(random() * 300_000));
    room.set(stream.subarray(at, at + count));
    at += count;
    decoder.commit(count, (type, payload) => {
      assert(payload.every((b) => b === payload[0]), "a payload arrives whole and unmixed");
      seen.push(`${type}:${payload.length}:${payload[0] ?? "-"}`);
    });
  }
  assertEquals(
    seen,
    frames.map((f, i) => `${Msg.output}:${f.length - 5}:${f.length > 5 ? i : "-"}`),
  );
});

Deno.test("launch spec: argv and env travel as separate values; bad input is refused by field", () => {
  const plan = {
    argv: ["echo", "a b", "$(x)"],
    env: { A: "1=2" },
    cwd: "/tmp",
    logPath: "/tmp/l",
    marker: "m1",
    dir: "/tmp/r",
  };
  const text = new TextDecoder().decode(encodeLaunchSpec(plan)).split("\0");
  assertEquals(text[0], "aikore-holder-spec/1");
  assert(text.join("|").includes("arg|echo|arg|a b|arg|$(x)"));
  assert(text.join("|").includes("env|A=1=2|env|AIKORE_INSTANCE_ID=m1"));
  assertThrows(() => encodeLaunchSpec({ ...plan, argv: ["a\0b"] }), /NUL byte/);
  assertThrows(
    () => encodeLaunchSpec({ ...plan, marker: "bad marker" }),
    /Invalid instance marker/,
  );
  assertThrows(() => encodeLaunchSpec({ ...plan, dir: "rel" }), /dir must be absolute/);
  assertThrows(() => encodeLaunchSpec({ ...plan, scrollbackBytes: 1.5 }), /scrollback/);
  const relative = new TextDecoder().decode(encodeLaunchSpec({ ...plan, cwd: "sub" }));
  assert(relative.includes(`cwd\0${Deno.cwd()}/sub\0`), "a relative cwd is made absolute");
});

async function stop(handle: HolderHandle): Promise<void> {
  const connection = await handle.connect();
  await connection.signal("SIGKILL", "session");
  connection.close();
  await until(() => !isAlive(handle.holderPid), "the holder exits");
}

holderTest("holder: input reaches the app and resize sets its terminal size", async (t) => {
  const plan = await t.plan([
    "bash",
    "-c",
    'read a; stty size; read b; echo "got $b"; stty size; sleep 30',
  ]);
  const handle = await spawnHolder(plan, { binary: await holderBinary() });
  const connection = await handle.connect();
  const viewer = new Viewer(connection);
  const status = await connection.attach({ cols: 100, rows: 30 }, viewer.handlers);
  assertEquals([status.cols, status.rows], [100, 30]);
  await connection.write("go\n");
  await viewer.waitFor((v) => v.text.includes("30 100"), "stty size 30 100");
  await connection.resize(120, 40);
  await connection.write("hi there\n");
  await viewer.waitFor(
    (v) => v.text.includes("got hi there") && v.text.includes("40 120"),
    "echo and new size",
  );
  connection.close();
  await stop(handle);
});

holderTest(
  "holder flow control: a window without acks stops the output; an ack sends more",
  async (t) => {
    const plan = await t.plan(["bash", "-c", "head -c 300000 /dev/zero | tr '\\0' x; sleep 30"]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const connection = await handle.connect();
    let received = 0;
    await connection.attach({ window: 4096, autoAck: false }, {
      onOutput: (chunk) => (received += chunk.length),
    });
    let head = 0;
    while (head < 300000) head = (await connection.status()).head; // status replies follow any output sent before them
    assertEquals(received, 4096, "exactly one window was sent");
    connection.ack(4096);
    while (received < 8192) await connection.status();
    assertEquals(received, 8192);
    assertEquals(Deno.statSync(plan.logPath).size, head, "the log has everything meanwhile");
    connection.close();
    await stop(handle);
  },
);

holderTest(
  "holder: without a log path the output lives in the ring only; no file is written",
  async (t) => {
    const plan = await t.plan(["bash", "-c", "echo kept in memory; sleep 30"]);
    const handle = await spawnHolder({ ...plan, logPath: null }, { binary: await holderBinary() });
    const connection = await handle.connect();
    const viewer = new Viewer(connection);
    await connection.attach({ from: 0 }, viewer.handlers);
    await viewer.waitFor((v) => v.text.includes("kept in memory\r\n"), "the output");
    const status = await connection.status();
    assertEquals(status.logDroppedBytes, 0, "nothing counts as dropped");
    assert(!existsSync(dirname(plan.logPath)), "no log folder or file was made");
    assertEquals([...Deno.readDirSync(plan.dir)].map((e) => e.name).sort(), [
      "holder.json",
      "holder.sock",
    ]);
    connection.close();
    await stop(handle);
  },
);

holderTest(
  "holder: a line after a quiet moment is in the log before any client gets it",
  async (t) => {
    const plan = await t.plan(["bash", "-c", "sleep 0.2; echo lone line; sleep 30"]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const connection = await handle.connect();
    const viewer = new Viewer(connection);
    await connection.attach({ from: 0 }, viewer.handlers);
    await viewer.waitFor((v) => v.text.includes("lone line\r\n"), "the line");
    // No status request (it would write the log first): only the holder's own order counts.
    assertEquals(Deno.readTextFileSync(plan.logPath), "lone line\r\n");
    connection.close();
    await stop(handle);
  },
);

holderTest(
  "holder: a flood is logged in batches, not one write per pty read, and within moments",
  async (t) => {
    const total = 4_000_000;
    const plan = await t.plan(["bash", "-c", `head -c ${total} /dev/zero | tr '\\0' x; sleep 30`]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    // Nobody attached and nobody asks for a status (a status reply flushes the log): only the
    // holder's own batching writes it, 20 ms after the last read at the latest.
    await until(
      () => existsSync(plan.logPath) && Deno.statSync(plan.logPath).size === total,
      "all logged",
    );
    const io = Deno.readTextFileSync(`/proc/${handle.holderPid}/io`);
    const writes = Number(/^syscw: (\d+)$/m.exec(io)?.[1]);
    // The pty hands out at most 4 KiB per read (about 1,000 reads here; the old holder wrote ~200
    // times); 64 KiB batches make ~62, and a flood slower than 1.3 MiB/s adds 20 ms flushes.
    assert(writes < 150, `the holder made ${writes} write calls for ${total} bytes of output`);
    await stop(handle);
  },
);

holderTest(
  "holder flow control: a hold client that stops acking holds the app; then all arrives, no gap",
  async (t) => {
    // The app waits for the hold client: before one attaches, output is a console's (it may
    // scroll away), which is not what this test is about.
    const plan = await t.plan(
      ["bash", "-c", "stty -echo; echo ready; read -r go; seq 1 300000"],
      { scrollbackBytes: 65536 },
    );
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const connection = await handle.connect();
    const viewer = new Viewer(connection);
    let acking = false;
    await connection.attach({ hold: true, from: 0, window: 4096, autoAck: false }, {
      ...viewer.handlers,
      onOutput(chunk, offset) {
        viewer.handlers.onOutput(chunk, offset);
        if (acking) connection.ack(offset + chunk.length);
      },
    });
    await viewer.waitFor((v) => v.text.includes("ready"), "the app's ready line", 10_000);
    await connection.write("go\n");
    let status = await connection.status();
    const deadline = Date.now() + 10_000;
    while (status.head < 4096 + 65536 && Date.now() < deadline) status = await connection.status();
    assertEquals(status.head, 4096 + 65536, "reading stops once the ring holds only unsent output");
    assert(
      status.exit === null && isAlive(handle.appPid),
      "the app waits, blocked on its terminal",
    );
    acking = true;
    connection.ack(4096);
    await viewer.waitFor((v) => v.exit !== null, "the app's exit", 30_000);
    const numbers = viewer.text.slice(viewer.text.indexOf("ready") + 5).trim().split(/\r?\n/)
      .map(Number);
    assertEquals(numbers.length, 300000);
    assert(numbers.every((n, i) => n === i + 1), "every number once, in order");
    assertEquals(viewer.gaps, []);
    assertEquals(viewer.exit?.code, 0);
    connection.close();
    await until(() => !isAlive(handle.holderPid), "the holder exits");
  },
);

holderTest(
  "holder flow control: a paused viewer never holds the app; it gets a gap, the log gets all",
  async (t) => {
    // The numbers wait for the attach: a flood before it would give a first gap at the attach.
    const plan = await t.plan([
      "bash",
      "-c",
      "stty -echo; echo ready; read _; seq 1 300000; sleep 30",
    ], {
      scrollbackBytes: 65536,
    });
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const connection = await handle.connect();
    const viewer = new Viewer(connection);
    let start = (await connection.status()).head;
    while (start < "ready\r\n".length) start = (await connection.status()).head;
    await connection.setPaused(true);
    await connection.attach({ from: "now" }, viewer.handlers);
    await connection.write("\n");
    const total = start + new TextEncoder().encode(
      Array.from({ length: 300000 }, (_, i) => `${i + 1}\r\n`).join(""),
    )
      .length;
    let status = await connection.status();
    while (status.head < total) status = await connection.status();
    assertEquals(status.oldest, total - 65536);
    await connection.setPaused(false);
    await viewer.waitFor((v) => v.text.endsWith("300000\r\n"), "the tail after the gap");
    assertEquals(viewer.gaps.length, 1);
    const [from, to] = viewer.gaps[0] ?? [0, 0];
    assertEquals(from, start);
    assertEquals(to, total - 65536 / 4, "resumes with a quarter of the scrollback");
    assertEquals(Deno.statSync(plan.logPath).size, total);
    connection.close();
    await stop(handle);
  },
);

holderTest(
  "holder: a request sent just before the client hangs up is still carried out",
  async (t) => {
    const plan = await t.plan(["sleep", "60"]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const socket = await Deno.connect({ transport: "unix", path: handle.socketPath });
    await socket.write(encodeSignal(SIGNAL_TARGET.group, 9));
    socket.close(); // no waiting for the answer
    await until(() => !isAlive(handle.appPid), "the app is killed");
    await until(() => !isAlive(handle.holderPid), "the holder exits");
  },
);

holderTest("holder: an existing log is moved to .1 at start, like RotatingLog", async (t) => {
  const plan = await t.plan(["echo", "new run"]);
  Deno.mkdirSync(dirname(plan.logPath), { recursive: true });
  Deno.writeTextFileSync(plan.logPath, "old run\n");
  const handle = await spawnHolder(plan, { binary: await holderBinary() });
  // With nobody attached, the holder keeps an ended app's exit for a first client up to 10 s.
  await until(() => !isAlive(handle.holderPid), "the holder exits", 30_000);
  assertEquals(Deno.readTextFileSync(`${plan.logPath}.1`), "old run\n");
  assertEquals(Deno.readTextFileSync(plan.logPath), "new run\r\n");
});

holderTest(
  "holder: a ninth connection is refused with a reason; the eight others keep working",
  async (t) => {
    const plan = await t.plan(["sleep", "60"]);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const connections = await Promise.all(Array.from({ length: 8 }, () => handle.connect()));
    for (const connection of connections) {
      assertEquals(
        (await connection.status()).appPid,
        handle.appPid,
      );
    }
    const ninth = await handle.connect();
    let message = "";
    await ninth.status().catch((error) => (message = error.message));
    assertEquals(message, "The holder refused a request: too many clients");
    assertEquals((await connections[7]?.status())?.clients, 8);
    for (const connection of connections) connection.close();
  },
);

Deno.test("spawnHolder: a runtime folder too long for a unix socket is refused before anything starts", async () => {
  const dir = `/tmp/${"d".repeat(100)}`;
  let message = "";
  await spawnHolder({
    argv: ["true"],
    env: {},
    cwd: "/tmp",
    logPath: "/tmp/x.log",
    marker: "m1",
    dir,
  })
    .catch((error) => (message = error.message));
  assert(message.includes("longer than 107 bytes: use a shorter runtime folder"), message);
  assertEquals(existsSync(dir), false);
});
