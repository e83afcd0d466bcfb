/**
 * Terminals outlive AiKore too: a shell (and a job it started) under its holder keeps running
 * through a SIGTERM ("leave") and a kill -9 of AiKore; the next AiKore lists the same terminal,
 * replays its scrollback and takes input; closing it then ends the shell and its job.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { Program, testBlueprint } from "../helpers/program.ts";
import { openTerminalSocket } from "./adoption_support.ts";

const BLUEPRINTS = { "idle.sh": testBlueprint("idle", "sleep 3600") };

function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

const terminalPath = (id: number, terminal: string) =>
  `/api/instances/${id}/terminal?terminal=${terminal}`;

/** Waits up to 5 s for `pid` to end (a hung-up job gets its SIGHUP from its shell). */
async function untilDead(pid: number): Promise<void> {
  const deadline = performance.now() + 5000;
  while (alive(pid) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

Deno.test("a terminal and its job survive a SIGTERM and a kill -9 of AiKore; the next AiKore takes it back with its scrollback", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-term-adopt-" });
  // The test programs stop instances on SIGTERM unless told otherwise; "leave" is the default.
  const program = new Program({
    dataDir: dir,
    blueprints: BLUEPRINTS,
    env: { AIKORE_ON_SHUTDOWN: "leave" },
  });
  await program.start();
  try {
    const created = await program.api("POST", "/api/instances", {
      name: "shell",
      base_blueprint: "idle.sh",
    });
    assertEquals(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as number;
    const opened = await program.api("POST", `/api/instances/${id}/terminals`);
    assertEquals(opened.status, 201, JSON.stringify(opened.body));
    const terminalId = opened.body.id as string;

    const first = await openTerminalSocket(program, terminalPath(id, terminalId));
    first.type("sleep 600 & echo job=$!; export MARK=kept\r");
    const job = Number((await first.waitFor(/job=(\d+)/))[1]);
    assert(alive(job), "the job runs");
    const shell = (await program.api("GET", `/api/instances/${id}/terminals`)).body;
    assertEquals(shell.terminals.map((t: { id: string }) => t.id), [terminalId]);

    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      await program.kill(signal); // SIGTERM: AiKore stops and leaves its instances running
      assert(alive(job), `${signal}: the terminal's job survives AiKore`);
      await program.start();
      const listed = (await program.api("GET", `/api/instances/${id}/terminals`)).body;
      assertEquals(listed.terminals.map((t: { id: string }) => t.id), [terminalId], signal);
      const again = await openTerminalSocket(program, terminalPath(id, terminalId));
      await again.waitFor(new RegExp(`job=${job}`)); // the scrollback, replayed
      again.type(`echo "$MARK $((6*7)) after ${signal}"\r`);
      await again.waitFor(new RegExp(`kept 42 after ${signal}`));
      again.close();
    }

    const closed = await program.api("DELETE", `/api/terminals/${terminalId}`);
    assertEquals(closed.status, 200, JSON.stringify(closed.body));
    await untilDead(job);
    assert(!alive(job), "closing the terminal hangs up its shell and its job");
    assertEquals([...Deno.readDirSync(`${dir}/terms`)], [], "no terminal folder is left");

    // AIKORE_ON_SHUTDOWN=stop: stopping AiKore closes terminals along with the instances.
    const next = (await program.api("POST", `/api/instances/${id}/terminals`)).body.id as string;
    const last = await openTerminalSocket(program, terminalPath(id, next));
    last.type("sleep 600 & echo job=$!\r");
    const lastJob = Number((await last.waitFor(/job=(\d+)/))[1]);
    await program.kill("SIGKILL");
    const stopping = new Program({
      dataDir: dir,
      blueprints: BLUEPRINTS,
      env: { AIKORE_ON_SHUTDOWN: "stop" },
    });
    await stopping.start();
    const kept = (await stopping.api("GET", `/api/instances/${id}/terminals`)).body;
    assertEquals(kept.terminals.map((t: { id: string }) => t.id), [next], "taken back");
    await stopping.kill("SIGTERM");
    await untilDead(lastJob);
    assert(!alive(lastJob), "with stop, the terminal's job ended with AiKore");
    assertEquals([...Deno.readDirSync(`${dir}/terms`)], [], "and its folder is gone");
  } finally {
    await program.kill("SIGKILL");
    // Whatever a failed assertion left: a last AiKore that stops everything.
    const last = new Program({
      dataDir: dir,
      blueprints: BLUEPRINTS,
      env: { AIKORE_ON_SHUTDOWN: "stop" },
    });
    await last.start();
    await last.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
