import { deepEqual, equal, ok } from "node:assert/strict";
import { spawnPty } from "./spawn_pty.ts";
import { PtySession, type PtySessionOptions, type PtyViewer } from "./pty_session.ts";
import { isAlive, sleep, TEST_ENV, TestOutput } from "./test_output.ts";
import type { ExitStatus } from "./pty.ts";

function session(script: string | null, options: PtySessionOptions = {}): PtySession {
  const args = script === null ? ["--norc", "--noprofile", "-i"] : ["-c", script];
  const pty = spawnPty({ file: "bash", args, env: TEST_ENV, cwd: "/tmp" });
  return new PtySession(pty, options);
}

class Viewer implements PtyViewer {
  out = new TestOutput();
  chunks: Uint8Array[] = [];
  exits: ExitStatus[] = [];
  sizes: string[] = [];
  constructor(readonly id: string, public cols = 80, public rows = 24) {}
  send(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.out.add(chunk);
  }
  onExit(status: ExitStatus): void {
    this.exits.push(status);
  }
  onResize(cols: number, rows: number): void {
    this.sizes.push(`${cols}x${rows}`);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`Timed out waiting until ${what}`);
    await sleep(10);
  }
}

Deno.test("a viewer that attaches later gets the scrollback replayed", async () => {
  const s = session(null);
  try {
    const first = new Viewer("a");
    const detach = s.attach(first);
    s.write("echo marker-$((40 + 2))\r");
    await first.out.waitFor("marker-42");
    detach();
    equal(s.viewerCount, 0);
    const second = new Viewer("b");
    s.attach(second);
    ok(second.out.text.includes("marker-42"), "replay must contain earlier output");
  } finally {
    await s.close();
  }
});

Deno.test("the scrollback stays within its byte bound", async () => {
  const s = session('for i in $(seq 1 3000); do echo "line-$i"; done; echo END; sleep 30', {
    scrollbackBytes: 4096,
  });
  try {
    const all = new TestOutput();
    s.onOutput(all.add);
    await all.waitFor("END");
    const kept = new TextDecoder().decode(s.scrollback());
    ok(s.scrollback().length <= 4096);
    ok(kept.includes("line-3000\r\nEND"), "the newest output is kept");
    ok(!kept.includes("line-1\r\n"), "the oldest output fell out");
    ok(all.bytes > 20_000);
  } finally {
    await s.close();
  }
});

Deno.test("the pty size follows the smallest viewer", async () => {
  const s = session(null);
  try {
    const big = new Viewer("big", 120, 40);
    const small = new Viewer("small", 90, 20);
    s.attach(big);
    const detachSmall = s.attach(small);
    deepEqual(s.size, { cols: 90, rows: 20 });
    s.write("echo SIZE=$(stty size)\r");
    await big.out.waitFor("SIZE=20 90");
    detachSmall();
    s.resizeViewer("big", 100, 30);
    s.write("echo SIZE=$(stty size)\r");
    await big.out.waitFor("SIZE=30 100");
    deepEqual(big.sizes, ["120x40", "90x20", "120x40", "100x30"]);
  } finally {
    await s.close();
  }
});

Deno.test("a flood with a viewer that does not ack pauses the pty, and acks resume it", async () => {
  const s = session("yes", { highWaterBytes: 256 * 1024, lowWaterBytes: 64 * 1024 });
  let maxLag = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    maxLag = Math.max(maxLag, now - last - 5);
    last = now;
  }, 5);
  try {
    const slow = new Viewer("slow");
    s.attach(slow);
    await until(() => s.readPaused, "flow control pauses the pty");
    await sleep(200);
    const held = slow.out.bytes;
    await sleep(200);
    // One wake-up reads at most 256 KiB (ffi_pty.ts), so a pause takes effect within one read.
    ok(slow.out.bytes - held <= 256 * 1024, "at most one read in flight after pausing");
    ok(held <= 256 * 1024 + 2 * 256 * 1024, `viewer got ${held} bytes, bounded by the high mark`);
    s.ack("slow", slow.out.bytes);
    ok(!s.readPaused, "acking below the low mark resumes reading");
    await until(() => slow.out.bytes > held + 64 * 1024, "output flows again");
    ok(maxLag < 500, `event-loop lag ${maxLag.toFixed(0)} ms stays low during a flood`);
  } finally {
    clearInterval(ticker);
    await s.close();
  }
});

Deno.test("detaching the slow viewer releases the pause", async () => {
  const s = session("yes", { highWaterBytes: 64 * 1024, lowWaterBytes: 16 * 1024 });
  try {
    const detach = s.attach(new Viewer("slow"));
    await until(() => s.readPaused, "flow control pauses the pty");
    detach();
    ok(!s.readPaused);
  } finally {
    await s.close();
  }
});

Deno.test("in drop mode a slow viewer never stops the program and is resynced later", async () => {
  const s = session("yes", {
    highWaterBytes: 64 * 1024,
    lowWaterBytes: 16 * 1024,
    slowViewer: "drop",
  });
  try {
    let total = 0;
    s.onOutput((chunk) => (total += chunk.length));
    const slow = new Viewer("slow");
    s.attach(slow);
    await until(() => total > 2_000_000, "the program keeps writing");
    ok(!s.readPaused);
    // The high mark plus what one wake-up reads (256 KiB at most, ffi_pty.ts), twice.
    ok(slow.out.bytes <= 64 * 1024 + 2 * 256 * 1024, `slow viewer got ${slow.out.bytes} bytes`);
    const before = slow.chunks.length;
    s.ack("slow", slow.out.bytes);
    const resync = slow.chunks[before];
    ok(resync !== undefined, "acking brings a resync chunk");
    equal(new TextDecoder().decode(resync.subarray(0, 3)), "\x1b[H");
    ok(resync.length <= 48 * 1024 + 16);
  } finally {
    await s.close();
  }
});

Deno.test("the exit is reported after the last output, also to viewers that attach later", async () => {
  const s = session("head -c 300000 /dev/zero | tr '\\0' x; echo; echo bye; exit 3");
  const viewer = new Viewer("v");
  const seenAtExit: number[] = [];
  viewer.onExit = (status) => {
    viewer.exits.push(status);
    seenAtExit.push(viewer.out.bytes);
  };
  s.attach(viewer);
  const pump = setInterval(() => s.ack("v", 1 << 30), 5);
  deepEqual(await s.exited, { code: 3, signal: null });
  clearInterval(pump);
  deepEqual(viewer.exits, [{ code: 3, signal: null }]);
  ok((seenAtExit[0] ?? 0) >= 300_000, "all output arrives before the exit");
  ok(viewer.out.text.endsWith("bye\r\n"));
  const late = new Viewer("late");
  s.attach(late);
  deepEqual(late.exits, [{ code: 3, signal: null }]);
  ok(late.out.text.includes("bye"));
  deepEqual(s.exitStatus, { code: 3, signal: null });
});

Deno.test("a leader that exits with a background job still reports its exit", async () => {
  const s = session("set -m; sleep 1000 & echo BG=$!; exit 5", { exitDrainMs: 100 });
  const all = new TestOutput();
  s.onOutput(all.add);
  deepEqual(await s.exited, { code: 5, signal: null });
  const bg = Number(/BG=(\d+)/.exec(all.text)?.[1]);
  ok(bg > 1);
  await until(() => !isAlive(bg), "closing on exit hangs up the leftover job");
});
