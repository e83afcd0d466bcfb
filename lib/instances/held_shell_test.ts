import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import { holderBinary, until } from "../holder/test_support.ts";
import { silentLogger } from "../log/mod.ts";
import { isRunning, readPidStat } from "../procfs/mod.ts";
import { TestOutput } from "../pty/test_output.ts";
import { adoptHeldShells, sweepHeldShells, terminalMarker } from "./held_shell.ts";
import { createdInstance, terminalManager } from "./test_support.ts";
import { environAfterExec } from "../../tests/helpers/environ_after_exec.ts";

async function tempRoot(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "aikore-terms-" });
}

/** The pid of the process that started `pid` (its holder for a held shell). */
function parentOf(pid: number): number | undefined {
  return readPidStat(pid)?.ppid;
}

Deno.test("a terminal's shell runs under a holder of its own; closing it ends the shell, the holder and the folder", async () => {
  const h = await startHarness();
  const root = await tempRoot();
  const manager = terminalManager(h, {
    holder: { binary: await holderBinary(), root },
  });
  try {
    const record = await createdInstance(h, "held");
    const terminal = await manager.open(record, null);
    const shellPid = terminal.session.pid;
    const holderPid = parentOf(shellPid) ?? 0;
    assertEquals(readPidStat(holderPid)?.comm, "aikore_holder", "the shell's parent is a holder");
    assertEquals([...Deno.readDirSync(root)].map((e) => e.name), [terminal.id]);
    const environ = await environAfterExec(shellPid, "bash");
    assert(environ.includes(`AIKORE_INSTANCE_ID=${terminalMarker(terminal.id)}`), "own marker");

    const out = new TestOutput();
    const detach = terminal.session.attach({
      id: "viewer",
      cols: 100,
      rows: 30,
      send: out.add,
      onExit: () => {},
    });
    terminal.session.write("echo sum=$((40+2)) size=$(stty size)\r");
    await out.waitFor("sum=42 size=30 100");
    detach();

    assert(await manager.close(terminal.id));
    assert(!isRunning(shellPid), "the shell ended");
    assertEquals([...Deno.readDirSync(root)], [], "its folder is gone");
    await until(() => !isRunning(holderPid), "its holder ends (its last client left)");
  } finally {
    await manager.closeAll();
    await h.close();
    await Deno.remove(root, { recursive: true });
  }
});

/** Runs testdata/leave_held_shells.ts for `ids`, then kills it -9; returns the shells' pids. */
async function crashLeavingShells(root: string, ids: string[]): Promise<number[]> {
  const script = new URL("./testdata/leave_held_shells.ts", import.meta.url).pathname;
  const crashing = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, await holderBinary(), root, ...ids],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = crashing.stdout.getReader();
  let line = "";
  try {
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the program ended before it was ready: ${line}`);
      line += new TextDecoder().decode(value);
    }
  } finally {
    reader.releaseLock();
    crashing.kill("SIGKILL"); // AiKore dies without closing its terminals
    await crashing.status;
    await crashing.stdout.cancel().catch(() => {});
  }
  return line.trim().split(" ").slice(1).map(Number);
}

Deno.test("shells a crashed AiKore left under holders: those kept are taken back with their scrollback, the others ended", async () => {
  const root = await tempRoot();
  try {
    const pids = await crashLeavingShells(root, ["a1", "b2", "c3"]);
    const holders = pids.map((pid) => parentOf(pid) ?? 0);
    const running = (pid: number) => isRunning(pid);
    assert(pids.length === 3 && [...pids, ...holders].every(running), "the shells outlive it");
    Deno.mkdirSync(`${root}/stale`); // a folder whose holder is long gone
    Deno.removeSync(`${root}/c3/terminal.json`); // a shell whose record is lost: never guessed at

    const { adopted, ended } = await adoptHeldShells(root, (record) => record.instanceId === 1);
    assertEquals(ended, 2);
    assertEquals(adopted.map((a) => [a.record.id, a.record.instanceId]), [["a1", 1]]);
    assert(running(pids[0] ?? 0) && running(holders[0] ?? 0), "the kept shell still runs");
    for (const pid of [pids[1], pids[2], holders[1], holders[2]]) {
      assert(!running(pid ?? 0), `${pid} was ended`);
    }
    assertEquals([...Deno.readDirSync(root)].map((e) => e.name), ["a1"], "only its folder is left");

    const pty = adopted[0]?.pty;
    if (!pty) throw new Error("nothing adopted");
    const out = new TestOutput();
    pty.onData(out.add);
    await out.waitFor("$ "); // the prompt it printed before the crash, replayed
    pty.write("echo adopted=$((40+2))\r");
    await out.waitFor("adopted=42");
    await pty.close();
    assert(!running(pids[0] ?? 0), "closing the adopted terminal ends its shell");
    assertEquals(await sweepHeldShells(root), 0, "nothing is left to sweep");
    assertEquals(await sweepHeldShells(`${root}/missing`), 0, "no folder: nothing to do");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a terminal whose holder cannot start runs inside AiKore instead, with a warning", async () => {
  const h = await startHarness();
  const warnings: string[] = [];
  const manager = terminalManager(h, {
    logger: { ...silentLogger, warn: (message) => void warnings.push(message) },
    holder: { binary: "/bin/false", root: await tempRoot() },
  });
  try {
    const record = await createdInstance(h, "fallback");
    const terminal = await manager.open(record, null);
    assertEquals(parentOf(terminal.session.pid), Deno.pid, "the shell is AiKore's own child");
    assertEquals(warnings, ["could not start a terminal under a holder; it runs inside AiKore"]);
    const out = new TestOutput();
    terminal.session.onOutput(out.add);
    terminal.session.write("echo fallback=$((6*7))\r");
    await out.waitFor("fallback=42");
  } finally {
    await manager.closeAll();
    await h.close();
  }
});
