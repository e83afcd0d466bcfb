import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import { holderBinary, until } from "../holder/test_support.ts";
import { silentLogger } from "../log/mod.ts";
import { isRunning, readPidStat } from "../procfs/mod.ts";
import { TestOutput } from "../pty/test_output.ts";
import { sweepHeldShells, terminalMarker } from "./held_shell.ts";
import { TerminalManager } from "./terminals.ts";

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
  const manager = new TerminalManager({
    paths: h.services.paths,
    blueprints: h.services.catalog,
    logger: silentLogger,
    baseEnv: h.services.baseEnv,
    limit: 4,
    holder: { binary: await holderBinary(), root },
  });
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "held",
      base_blueprint: "http_app.sh",
    });
    const record = h.services.store.get(created.body.id);
    if (!record) throw new Error("no record");
    const terminal = await manager.open(record, null);
    const shellPid = terminal.session.pid;
    const holderPid = parentOf(shellPid) ?? 0;
    assertEquals(readPidStat(holderPid)?.comm, "aikore_holder", "the shell's parent is a holder");
    assertEquals([...Deno.readDirSync(root)].map((e) => e.name), [terminal.id]);
    const environ = Deno.readTextFileSync(`/proc/${shellPid}/environ`).split("\0");
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

Deno.test("shells a crashed AiKore left under holders are ended by the sweep at the next start", async () => {
  const root = await tempRoot();
  const script = new URL("./testdata/leave_held_shells.ts", import.meta.url).pathname;
  const crashing = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, await holderBinary(), root, "a1", "b2"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = crashing.stdout.getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the program ended before it was ready: ${line}`);
      line += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    crashing.kill("SIGKILL"); // AiKore dies without closing its terminals
    await crashing.status;
    const pids = line.trim().split(" ").slice(1).map(Number);
    const holders = pids.map((pid) => parentOf(pid) ?? 0);
    const running = (pid: number) => isRunning(pid);
    assert(pids.length === 2 && [...pids, ...holders].every(running), "the shells outlive it");
    Deno.mkdirSync(`${root}/stale`); // a folder whose holder is long gone
    assertEquals(await sweepHeldShells(root), 2);
    for (const pid of [...pids, ...holders]) assert(!running(pid), `${pid} was ended`);
    assertEquals([...Deno.readDirSync(root)], [], "every folder is removed");
    assertEquals(await sweepHeldShells(`${root}/missing`), 0, "no folder: nothing to do");
  } finally {
    await crashing.stdout.cancel().catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a terminal whose holder cannot start runs inside AiKore instead, with a warning", async () => {
  const h = await startHarness();
  const warnings: string[] = [];
  const manager = new TerminalManager({
    paths: h.services.paths,
    blueprints: h.services.catalog,
    logger: { ...silentLogger, warn: (message) => void warnings.push(message) },
    baseEnv: h.services.baseEnv,
    limit: 4,
    holder: { binary: "/bin/false", root: await tempRoot() },
  });
  try {
    const created = await h.json("POST", "/api/instances", {
      name: "fallback",
      base_blueprint: "http_app.sh",
    });
    const record = h.services.store.get(created.body.id);
    if (!record) throw new Error("no record");
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
