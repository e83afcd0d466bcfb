import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { TestOutput } from "../pty/test_output.ts";
import { TERMINAL_STARTING } from "./terminals.ts";
import { startHarness } from "../../tests/helpers/harness.ts";
import { createdInstance, terminalManager } from "./test_support.ts";
import { holderBinary } from "../holder/test_support.ts";

Deno.test("terminals nobody watches are reaped after the idle time; watched ones stay", async () => {
  const h = await startHarness();
  let now = 1_000_000;
  const manager = terminalManager(h, {
    idleMs: 60_000,
    now: () => now,
  });
  try {
    const record = await createdInstance(h, "reap");
    const idle = await manager.open(record, null);
    const watched = await manager.open(record, null);
    const detach = watched.session.attach({
      id: "viewer",
      cols: 80,
      rows: 24,
      send: () => {},
      onExit: () => {},
    });
    now += 30_000;
    assertEquals(await manager.reapIdle(), 0, "not idle long enough");
    now += 31_000;
    assertEquals(await manager.reapIdle(), 1);
    assertEquals(manager.get(idle.id, record.id), null);
    assertEquals(manager.get(watched.id, record.id)?.id, watched.id);
    await idle.session.exited;
    detach();
  } finally {
    await manager.closeAll();
    await h.close();
  }
});

for (const held of [false, true]) {
  Deno.test(
    `a terminal running a job (a silent download, a training) is never reaped as idle; done, it is (${
      held ? "under its holder" : "on AiKore's pty"
    })`,
    async () => {
      const h = await startHarness();
      let now = 1_000_000;
      const root = held ? await Deno.makeTempDir({ prefix: "aikore-terms-" }) : null;
      const manager = terminalManager(h, {
        idleMs: 60_000,
        now: () => now,
        ...(root ? { holder: { binary: await holderBinary(), root } } : {}),
      });
      try {
        const record = await createdInstance(h, "busy");
        const terminal = await manager.open(record, null);
        const output = new TestOutput();
        terminal.session.onOutput(output.add);
        // A job that prints nothing for hours, nobody watching: `wget -q`, `python train.py > log`.
        terminal.session.write('sleep 1000 & echo "job=$!"; wait\n');
        const job = Number((await output.waitFor(/job=(\d+)/)).match(/job=(\d+)/)?.[1]);
        assert(job > 0, "the job started");
        assertEquals(manager.list(record.id).map((t) => t.running_job), [true], "listed busy");
        now += 10 * 60_000;
        assertEquals(await manager.reapIdle(), 0, "its job is running: not idle");
        assertEquals(manager.get(terminal.id, record.id)?.id, terminal.id);
        Deno.kill(job, "SIGKILL");
        terminal.session.write("echo back-$((1+1))\n");
        await output.waitFor("back-2"); // ran: the shell is back at its prompt, its job gone
        assertEquals(manager.list(record.id).map((t) => t.running_job), [false]);
        now += 60_000;
        assertEquals(await manager.reapIdle(), 1, "done and silent: idle");
      } finally {
        await manager.closeAll();
        await h.close();
        if (root) await Deno.remove(root, { recursive: true });
      }
    },
  );
}

Deno.test("deleting an instance ends its terminals; the next instance gets a new id and none of them", async () => {
  const h = await startHarness();
  try {
    const record = await createdInstance(h, "doomed");
    const terminal = await h.services.terminals.open(record, null);
    assertEquals(h.services.terminals.list(record.id).length, 1);
    const deleted = await h.json("DELETE", `/api/instances/${record.id}`, { mode: "permanent" });
    assertEquals(deleted.status, 200);
    const status = await terminal.session.exited;
    assertEquals(status.signal !== null || status.code !== null, true, "the shell ended");
    assertEquals(h.services.terminals.list(record.id), []);
    assertEquals(h.services.terminals.get(terminal.id, record.id), null);

    const next = await h.json("POST", "/api/instances", {
      name: "next",
      base_blueprint: "http_app.sh",
    });
    assertEquals(next.body.id > record.id, true, "the deleted id is not reused");
    assertEquals(h.services.terminals.list(next.body.id), []);
  } finally {
    await h.services.terminals.closeAll();
    await h.close();
  }
});

Deno.test("a new terminal says it is starting before a slow ~/.bashrc has run, then gives its prompt", async () => {
  const h = await startHarness();
  const manager = terminalManager(h);
  const home = h.services.baseEnv.HOME as string;
  try {
    // A bashrc that waits for the test's word: the shell is "still starting" until then.
    await Deno.writeTextFile(
      `${home}/.bashrc`,
      'while [ ! -e "$HOME/go" ]; do sleep 0.05; done\necho bashrc-done\n',
    );
    const record = await createdInstance(h, "slowrc");
    const terminal = await manager.open(record, null);
    const out = new TestOutput();
    terminal.session.attach({ id: "viewer", cols: 100, rows: 30, send: out.add, onExit: () => {} });
    await out.waitFor(`${TERMINAL_STARTING} slowrc`);
    assert(!out.text.includes("bashrc-done"), "the line comes before the bashrc ends");
    await Deno.writeTextFile(`${home}/go`, "");
    await out.waitFor("bashrc-done");
    await out.waitFor("(slowrc)");
  } finally {
    await manager.closeAll();
    await h.close();
  }
});
