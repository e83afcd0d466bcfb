import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { PtySession, type PtyViewer } from "../pty/mod.ts";
import { fdPoller } from "../pty/fd_poller.ts";
import { plantFifo } from "../../tests/helpers/planted_fifo.ts";
import { attachHolderPty, inspectHolder, spawnHolder } from "./mod.ts";
import {
  counterArgv,
  counterLines,
  holderBinary,
  holderTest,
  isAlive,
  until,
} from "./test_support.ts";

function textViewer(id: string) {
  const decoder = new TextDecoder();
  const seen = { text: "", exit: null as { code: number | null; signal: number | null } | null };
  const viewer: PtyViewer = {
    id,
    cols: 90,
    rows: 20,
    send: (chunk) => (seen.text += decoder.decode(chunk, { stream: true })),
    onExit: (status) => (seen.exit = status),
  };
  return { viewer, seen };
}

holderTest(
  "holder pty: a PtySession over a held app replays, streams, resizes and reports the exit",
  async (t) => {
    const plan = await t.plan(counterArgv("0.05"));
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    await until(() => Deno.readTextFileSync(plan.logPath).includes("line 3\r\n"), "line 3 logged");
    const pty = await attachHolderPty(handle, { from: 0 });
    const session = new PtySession(pty, { slowViewer: "drop" });
    const { viewer, seen } = textViewer("v1");
    session.attach(viewer);
    await until(() => (counterLines(seen.text).at(-1) ?? 0) >= 8, "line 8 through the session");
    const lines = counterLines(seen.text);
    assertEquals(lines, lines.map((_, i) => i + 1), "from line 1, no gap");
    const probe = await handle.connect();
    assertEquals((await probe.status()).cols, 90, "the viewer's size reached the app's terminal");
    probe.close();
    session.kill("SIGTERM");
    const status = await session.exited;
    assertEquals(status, { code: null, signal: 15 });
    assertEquals(seen.exit, { code: null, signal: 15 });
    await until(() => !isAlive(handle.holderPid), "the holder exits once the session let go");
  },
);

holderTest(
  "holder pty: closing the pty only detaches; the app keeps running and can be re-attached",
  async (t) => {
    const plan = await t.plan(counterArgv("0.05"));
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const first = await attachHolderPty(handle, { from: 0 });
    let text = "";
    first.onData((chunk) => (text += new TextDecoder().decode(chunk)));
    await until(() => text.includes("line 2\r\n"), "output");
    const resumeAt = first.offset;
    await first.close();
    assert(isAlive(handle.appPid), "the app survives the detach");
    assertEquals(inspectHolder(plan.dir)?.state, "running");
    const second = await attachHolderPty(handle, { from: resumeAt });
    let more = "";
    second.onData((chunk) => (more += new TextDecoder().decode(chunk)));
    await until(
      () => (counterLines(more).at(-1) ?? 0) >= (counterLines(text).at(-1) ?? 0) + 3,
      "more",
    );
    assertEquals(counterLines(text + more), counterLines(text + more).map((_, i) => i + 1));
    await second.close();
  },
);

/**
 * Our descriptors that are the master of the held app's terminal (handed over for input). Only
 * that terminal's: test files running in parallel in this process open pty masters of their own.
 */
function appMastersHere(appPid: number): () => number {
  const tty = Deno.readLinkSync(`/proc/${appPid}/fd/0`); // the app's terminal: /dev/pts/N
  const index = /^\/dev\/pts\/(\d+)$/.exec(tty)?.[1];
  if (index === undefined) throw new Error(`the app's input is not a terminal: ${tty}`);
  return () =>
    [...Deno.readDirSync("/proc/self/fd")].filter((entry) => {
      try {
        if (Deno.readLinkSync(`/proc/self/fd/${entry.name}`) !== "/dev/ptmx") return false;
        const info = Deno.readTextFileSync(`/proc/self/fdinfo/${entry.name}`);
        return /^tty-index:\s*(\d+)$/m.exec(info)?.[1] === index;
      } catch {
        return false; // the directory's own descriptor, or one closed since it was listed
      }
    }).length;
}

holderTest(
  "holder pty: input goes straight to the app's terminal; the copy is closed when the app ends",
  async (t) => {
    // Without job control a background job is in the terminal's foreground group: the hang-up
    // that the holder's close of the master sends reaches it, unless our copy keeps it open.
    const plan = await t.plan(["bash", "-c", 'sleep 600 & echo "job=$!"; read a; echo "got $a"']);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const appMasters = appMastersHere(handle.appPid);
    const pty = await attachHolderPty(handle, { from: 0 });
    assertEquals(appMasters(), 1, "the holder handed over its master");
    let text = "";
    pty.onData((chunk) => (text += new TextDecoder().decode(chunk)));
    await until(() => /job=\d+/.test(text), "the job's pid");
    const job = Number(/job=(\d+)/.exec(text)?.[1]);
    pty.write("direct\n");
    assertEquals(await pty.exited, { code: 0, signal: null });
    assert(text.includes("got direct"), "the input reached the app");
    await until(() => appMasters() === 0, "our copy is closed at the app's end");
    await until(() => !isAlive(job), "the job got the hang-up: the terminal really closed");
    await pty.close();
  },
);

holderTest(
  "holder pty: a holder that cannot hand over its terminal gets input frames; detach closes the copy",
  async (t) => {
    const plan = await t.plan(["bash", "-c", 'while read a; do echo "got $a"; done']);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const appMasters = appMastersHere(handle.appPid);
    const unreachable = { ...handle, socketPath: `${plan.cwd}/no-such.sock` };
    const framed = await attachHolderPty(unreachable, { from: 0 });
    assertEquals(appMasters(), 0, "no descriptor: input goes by frames");
    let text = "";
    framed.onData((chunk) => (text += new TextDecoder().decode(chunk)));
    framed.write("framed\n");
    await until(() => text.includes("got framed"), "input through the holder");
    await framed.close();
    const direct = await attachHolderPty(handle, { from: "now" });
    assertEquals(appMasters(), 1);
    await direct.close();
    assertEquals(appMasters(), 0, "a detach closes the copy at once");
    assert(isAlive(handle.appPid), "and leaves the app running");
  },
);

holderTest(
  "holder pty: direct input larger than the terminal's buffer reaches the app whole, as it reads",
  async (t) => {
    // The app reads its terminal only once told to (a line in a FIFO): until then whatever the
    // terminal cannot hold is left over, however fast the other core would have read it.
    const plan = await t.plan([
      "bash",
      "-c",
      'stty raw -echo; echo RAW; read -r _ < "$0"; head -c 300001 | wc -c',
      "go.fifo",
    ]);
    await plantFifo(`${plan.cwd}/go.fifo`);
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const appMasters = appMastersHere(handle.appPid);
    const pty = await attachHolderPty(handle, { from: 0 });
    assertEquals(appMasters(), 1, "input goes straight to the terminal");
    let text = "";
    pty.onData((chunk) => (text += new TextDecoder().decode(chunk)));
    await until(() => text.includes("RAW"), "raw mode");
    const watched = fdPoller().size;
    pty.write("b");
    assertEquals(fdPoller().size, watched, "a keystroke written whole: nothing for the poller");
    // The tty takes a few KiB at once; the rest waits until the poller says it is writable.
    pty.write(new Uint8Array(300_000).fill(0x62));
    assertEquals(fdPoller().size, watched + 1, "input left over: watched for writability");
    await Deno.writeTextFile(`${plan.cwd}/go.fifo`, "go\n");
    await until(() => /^300001\r?$/m.test(text), "every byte counted by the app");
    await until(() => fdPoller().size === watched, "drained: no longer watched");
    assertEquals(await pty.exited, { code: 0, signal: null });
    await pty.close();
  },
);
