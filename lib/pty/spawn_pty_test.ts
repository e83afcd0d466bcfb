import { deepEqual, equal, match, ok, throws } from "node:assert/strict";
import { spawnPty } from "./spawn_pty.ts";
import { readPidStat } from "../procfs/mod.ts";
import { fdPoller } from "./fd_poller.ts";
import { isAlive, sleep, TEST_ENV, TestOutput } from "./test_output.ts";
import type { Pty } from "./pty.ts";
import { plantFifo } from "../../tests/helpers/planted_fifo.ts";

function bash(script?: string, env: Record<string, string> = {}): { pty: Pty; out: TestOutput } {
  const args = script === undefined ? ["--norc", "--noprofile", "-i"] : ["-c", script];
  const pty = spawnPty({ file: "bash", args, env: { ...TEST_ENV, ...env }, cwd: "/tmp" });
  const out = new TestOutput();
  pty.onData(out.add);
  return { pty, out };
}

Deno.test("the program gets the pty as controlling terminal in its own session", async () => {
  const { pty, out } = bash();
  try {
    pty.write("echo TTY=$(tty) SIZE $(stty size)\r");
    await out.waitFor(/SIZE 24 80/);
    match(out.text, new RegExp(`TTY=${pty.ttyPath} SIZE`));
    match(pty.ttyPath, /^\/dev\/pts\/\d+$/);
    const stat = readPidStat(pty.pid);
    equal(stat?.sid, pty.pid);
    equal(stat?.pgid, pty.pid);
  } finally {
    await pty.close();
  }
});

Deno.test("resize changes what stty reports and reaches the program", async () => {
  const { pty, out } = bash();
  try {
    pty.write("trap 'echo GOT-WINCH' WINCH\r");
    pty.resize(132, 50);
    pty.write("echo SIZE $(stty size)\r");
    await out.waitFor(/SIZE 50 132/);
  } finally {
    await pty.close();
  }
});

Deno.test("Ctrl-C interrupts the foreground job, not the shell", async () => {
  const { pty, out } = bash();
  try {
    pty.write("sleep 30\r");
    await sleep(200);
    pty.write("\x03");
    pty.write("echo rc=$?\r");
    await out.waitFor(/rc=130/);
    pty.write("echo still-here\r");
    await out.waitFor(/\rstill-here\r\n/);
  } finally {
    await pty.close();
  }
});

Deno.test("exit code and killing signal are reported", async () => {
  const first = bash("exit 7");
  deepEqual(await first.pty.exited, { code: 7, signal: null });
  await first.pty.close();
  const second = bash("sleep 30");
  second.pty.kill("SIGKILL");
  deepEqual(await second.pty.exited, { code: null, signal: 9 });
  await second.pty.close();
});

Deno.test("the environment is exactly the given one, and TERM has a default", async () => {
  const { pty, out } = bash('echo "T=$TERM F=$FOO H=${HOSTNAME_UNSET-unset}"', { FOO: "b a r" });
  await pty.exited;
  await pty.ended;
  match(out.text, /T=xterm-256color F=b a r H=unset/);
  await pty.close();
});

Deno.test("SIGPIPE is reset to default in the child (Deno ignores it)", async () => {
  const { pty, out } = bash('yes | head -c 1 >/dev/null; echo "PS=${PIPESTATUS[*]}"');
  await pty.exited;
  await pty.ended;
  match(out.text, /PS=141 0/);
  await pty.close();
});

Deno.test("a missing program or working directory throws a clear error", () => {
  const base = { args: [], env: TEST_ENV, cwd: "/tmp" };
  throws(() => spawnPty({ ...base, file: "/nonexistent/prog" }), /"\/nonexistent\/prog".*ENOENT/);
  throws(() => spawnPty({ ...base, file: "no-such-program-xyz" }), /ENOENT/);
  throws(
    () => spawnPty({ ...base, file: "bash", cwd: "/nonexistent/dir" }),
    /working directory \/nonexistent\/dir does not exist/,
  );
});

Deno.test("the program is looked up in the child's PATH, not AiKore's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/venv-bin`);
    await Deno.writeTextFile(`${dir}/venv-bin/my-app`, '#!/bin/sh\necho "my-app ran as $0"\n');
    await Deno.chmod(`${dir}/venv-bin/my-app`, 0o755);
    const env = { ...TEST_ENV, PATH: `${dir}/venv-bin:/usr/bin:/bin` };
    const pty = spawnPty({ file: "my-app", args: [], env, cwd: dir });
    const out = new TestOutput();
    pty.onData(out.add);
    await pty.exited;
    await pty.ended;
    match(out.text, /my-app ran as .*\/venv-bin\/my-app/);
    await pty.close();
    throws(
      () => spawnPty({ file: "my-app", args: [], env: TEST_ENV, cwd: dir }),
      /"my-app".*ENOENT.*in PATH \/usr\/local\/bin/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the working directory is applied", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pty = spawnPty({ file: "pwd", args: [], env: TEST_ENV, cwd: dir });
    const out = new TestOutput();
    pty.onData(out.add);
    await pty.exited;
    await pty.ended;
    match(out.text, new RegExp(`${dir}\r\n`));
    await pty.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a large write to a program that does not read never blocks the event loop", async () => {
  const { pty, out } = bash("stty raw -echo; echo RAW; sleep 30");
  try {
    await out.waitFor("RAW");
    const started = performance.now();
    pty.write(new Uint8Array(900 * 1024).fill(0x61));
    await sleep(20);
    const lag = performance.now() - started - 20;
    // A write blocking the loop would hold the timer until the child dies (30 s).
    ok(lag < 1000, `timer lag ${lag.toFixed(0)} ms while a write is blocked`);
  } finally {
    await pty.close();
  }
  deepEqual((await pty.exited).signal !== null, true);
});

Deno.test("input larger than the terminal's buffer reaches the program whole, as it reads", async () => {
  // The tty takes a few KiB at once: the rest waits in the queue until the poller reports the
  // master writable again (the write must have asked the parked poll to watch for that). The
  // program reads only once told to (a line in a FIFO), so some is always left over, however
  // fast the other core would have read.
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/go.fifo`;
  await plantFifo(fifo);
  const { pty, out } = bash(
    `stty raw -echo; echo RAW; read -r _ < ${fifo}; head -c 300000 | wc -c`,
  );
  const poller = fdPoller();
  const wake = poller.wake;
  let wakes = 0;
  poller.wake = () => {
    wakes++;
    wake.call(poller);
  };
  try {
    await out.waitFor("RAW");
    pty.write("k"); // a keystroke goes out whole: no poll round trip before its echo
    equal(wakes, 0);
    pty.write(new Uint8Array(300_000).fill(0x62));
    ok(wakes >= 1, "a write left over must make the parked poll watch for writability");
    await Deno.writeTextFile(fifo, "go\n");
    await out.waitFor("300000");
  } finally {
    poller.wake = wake;
    await pty.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("close() kills background jobs that keep the slave open after the leader exits", async () => {
  const { pty, out } = bash("set -m; sleep 1000 & echo BG=$!; exit 0");
  await out.waitFor(/BG=\d+/);
  const bg = Number(/BG=(\d+)/.exec(out.text)?.[1]);
  deepEqual(await pty.exited, { code: 0, signal: null });
  ok(isAlive(bg), "the background job outlives the leader and holds the slave");
  await pty.close();
  for (let i = 0; i < 50 && isAlive(bg); i++) await sleep(20);
  ok(!isAlive(bg), "close() must kill the session's background job");
});

Deno.test("close() escalates to SIGKILL when the shell ignores hangup", async () => {
  const { pty, out } = bash("trap '' HUP TERM; echo ARMED; while :; do sleep 0.1; done");
  await out.waitFor("ARMED");
  await pty.close();
  equal((await pty.exited).signal, 9);
});
