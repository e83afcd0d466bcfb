/**
 * Desktop instances with the real program (issue 14): start/stop cycles leave nothing behind,
 * and a kill -9 of AiKore leaves no orphan desktop: the next AiKore adopts a desktop whose app
 * still runs and ends one whose app ended meanwhile; the next start works.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { DatabaseSync } from "node:sqlite";
import { installIdOf, markedProcesses, Program, testBlueprint } from "../helpers/program.ts";
import { alive, leases, xFilesOf } from "../e2e/desktop_support.ts";

// xlogo on the desktop until a file in the instance folder says to end (exit 3).
const BLUEPRINTS = {
  "desk_x.sh": testBlueprint(
    "desktop X program",
    `echo "on $DISPLAY"
xlogo -geometry 300x200+0+0 &
app=$!
while [ ! -e "$INSTANCE_CONF_DIR/quit" ] && kill -0 "$app" 2>/dev/null; do sleep 0.1; done
kill "$app" 2>/dev/null
exit 3`,
  ),
};

interface Desktop {
  display: number;
  pids: number[];
  ports: number[];
}

/** The one desktop lease of the data dir, with its processes and loopback ports. */
function theDesktop(dataDir: string): Desktop {
  const all = [...leases(dataDir).entries()];
  assertEquals(all.length, 1, `one desktop lease: ${JSON.stringify(all)}`);
  const [display, lease] = all[0] ?? [-1, { processes: [] }];
  const { vncPort, webPort } = lease as unknown as { vncPort: number; webPort: number };
  return { display, pids: lease.processes.map((p) => p.pid), ports: [vncPort, webPort] };
}

/** The loopback port the gateway publishes for instance `id` (its viewer front). */
function viewerPortOf(dataDir: string, id: number): number | null {
  const db = new DatabaseSync(`${dataDir}/aikore.db`, { readOnly: true });
  try {
    const row = db.prepare("SELECT vnc_port FROM instances WHERE id = ?").get(id);
    return (row as { vnc_port: number | null }).vnc_port;
  } finally {
    db.close();
  }
}

async function portOpen(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

/** Nothing of `desktop` is left: processes, X lock and socket, ports, lease. */
async function assertGone(dataDir: string, desktop: Desktop, installId: string): Promise<void> {
  assertEquals(desktop.pids.filter(alive), [], "no process of the desktop");
  assertEquals(xFilesOf(desktop.display), [], "no X lock or socket");
  for (const port of desktop.ports) assert(!(await portOpen(port)), `port ${port} still open`);
  assertEquals([...leases(dataDir).keys()], [], "no lease");
  assertEquals([...markedProcesses(installId).keys()], [], "no marked process");
}

async function withProgram(body: (program: Program, dataDir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "aikore-desk-" });
  const program = new Program({ dataDir: dir, blueprints: BLUEPRINTS });
  await program.start();
  try {
    await body(program, dir);
  } finally {
    await program.kill("SIGKILL");
    const last = new Program({ dataDir: dir, blueprints: BLUEPRINTS });
    await last.start();
    await last.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function createDesktop(program: Program): Promise<{ id: number; slug: string }> {
  const created = await program.api("POST", "/api/instances", {
    name: "desk",
    base_blueprint: "desk_x.sh",
    persistent_mode: true,
  });
  assertEquals(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

async function startIt(program: Program, id: number): Promise<void> {
  const started = await program.api("POST", `/api/instances/${id}/start`);
  assertEquals(started.status, 200, JSON.stringify(started.body));
  await program.waitFor(id, ["started"], 30_000);
}

Deno.test("10 start/stop cycles of a desktop instance leave no process, no X lock or socket, no port", async () => {
  await withProgram(async (program, dataDir) => {
    const { id } = await createDesktop(program);
    const installId = installIdOf(dataDir);
    for (let cycle = 0; cycle < 10; cycle++) {
      await startIt(program, id);
      const desktop = theDesktop(dataDir);
      assert(desktop.pids.every(alive), `cycle ${cycle}: the desktop runs`);
      assert(xFilesOf(desktop.display).length > 0, "the X socket exists while it runs");
      const stopped = await program.api("POST", `/api/instances/${id}/stop`);
      assertEquals(stopped.body?.status, "stopped", JSON.stringify(stopped.body));
      await assertGone(dataDir, desktop, installId);
    }
  });
});

Deno.test("kill -9 of AiKore with a desktop running: the next AiKore adopts it, stop frees it; an app that ended meanwhile gets its desktop swept; the next start works", async () => {
  await withProgram(async (program, dataDir) => {
    const { id, slug } = await createDesktop(program);
    const installId = installIdOf(dataDir);
    await startIt(program, id);
    const first = theDesktop(dataDir);

    // Kill -9 with the app running: the next AiKore takes the same desktop over.
    await program.kill("SIGKILL");
    await program.start();
    assertEquals(await program.waitFor(id, ["started"]), "started");
    const adopted = theDesktop(dataDir);
    assertEquals(adopted.display, first.display, "same display");
    assert(adopted.pids.every(alive), "same desktop processes, still alive");
    const dto = (await program.api("GET", `/api/instances/${id}`)).body;
    assertEquals(dto.persistent_display, first.display);
    // The route's target is the new AiKore's viewer front, serving the same desktop's client.
    const viewerDeadline = performance.now() + 10_000;
    let viewer: Response | null = null;
    while (!viewer?.ok && performance.now() < viewerDeadline) {
      await viewer?.body?.cancel();
      viewer = await fetch(`http://127.0.0.1:${viewerPortOf(dataDir, id)}/vnc.html`)
        .catch(() => null);
      if (!viewer?.ok) await new Promise((r) => setTimeout(r, 100));
    }
    assertEquals(viewer?.status, 200, "the viewer answers on the recorded port");
    await viewer?.body?.cancel();
    const stopped = await program.api("POST", `/api/instances/${id}/stop`);
    assertEquals(stopped.body?.status, "stopped", JSON.stringify(stopped.body));
    await assertGone(dataDir, first, installId);

    // Kill -9, then the app ends while AiKore is down: the boot sweep ends its desktop.
    await startIt(program, id);
    const second = theDesktop(dataDir);
    await program.kill("SIGKILL");
    await Deno.writeTextFile(`${dataDir}/instances/${slug}/quit`, "");
    const appMarker = `AIKORE_INSTANCE_ID=${installId}.${id}`;
    const deadline = performance.now() + 10_000;
    while (markedProcesses(`${installId}.${id}`).has(appMarker)) {
      assert(performance.now() < deadline, "the app did not end");
      await new Promise((r) => setTimeout(r, 50));
    }
    assert(second.pids.every(alive), "its desktop outlived both");
    await program.start();
    await program.waitFor(id, ["exited", "stopped", "error"]);
    await assertGone(dataDir, second, installId);
    await Deno.remove(`${dataDir}/instances/${slug}/quit`);

    // And the next start works.
    await startIt(program, id);
    const third = theDesktop(dataDir);
    assert(third.pids.every(alive), "a fresh desktop runs");
  });
});

Deno.test("a crash of the desktop's X server stops the app and shows on the instance with a message; nothing is left", async () => {
  await withProgram(async (program, dataDir) => {
    const { id } = await createDesktop(program);
    const installId = installIdOf(dataDir);
    await startIt(program, id);
    const desktop = theDesktop(dataDir);
    const xserver = desktop.pids[0] ?? -1;
    assertEquals(Deno.readTextFileSync(`/proc/${xserver}/comm`).trim(), "Xvnc");
    Deno.kill(xserver, "SIGKILL");
    await program.waitFor(id, ["exited"]);
    const dto = (await program.api("GET", `/api/instances/${id}`)).body;
    assert(
      /X server \(display :\d+\) ended with signal SIGKILL/.test(dto.status_message ?? ""),
      dto.status_message,
    );
    await assertGone(dataDir, desktop, installId);
  });
});

Deno.test("the stock LM Studio blueprint runs as a desktop instance (its download replaced by an installed stand-in GUI program)", async () => {
  const stock = new URL("../../blueprints/LMStudio.sh", import.meta.url).pathname;
  const dir = await Deno.makeTempDir({ prefix: "aikore-lms-" });
  const blueprints = { "LMStudio.sh": await Deno.readTextFile(stock) };
  const program = new Program({ dataDir: dir, blueprints });
  await program.start();
  try {
    const created = await program.api("POST", "/api/instances", {
      name: "lms",
      base_blueprint: "LMStudio.sh",
      persistent_mode: true,
    });
    assertEquals(created.status, 201, JSON.stringify(created.body));
    const { id, slug } = created.body;
    // What the first start would download and unpack, already there: xlogo as the AppImage.
    const conf = `${dir}/instances/${slug}`;
    await Deno.mkdir(`${conf}/env/bin`, { recursive: true });
    await Deno.mkdir(`${conf}/env/conda-meta`);
    await Deno.writeTextFile(
      `${conf}/env/.aikore-installed`,
      "lmstudio url=https://lmstudio.ai/download/latest/linux/x64 libs=gtk3 nss alsa-lib libxkbcommon",
    );
    await Deno.mkdir(`${conf}/lmstudio/squashfs-root`, { recursive: true });
    await Deno.writeTextFile(
      `${conf}/lmstudio/squashfs-root/AppRun`,
      '#!/bin/sh\necho "AppRun $*"\nexec xlogo -geometry 300x200+0+0\n',
      { mode: 0o755 },
    );
    await startIt(program, id);
    const desktop = theDesktop(dir);
    const installId = installIdOf(dir);
    // health = process: "started" comes before the script reaches its exec; wait for it.
    const onDisplay = () =>
      (markedProcesses(`${installId}.${id}`).get(`AIKORE_INSTANCE_ID=${installId}.${id}`) ?? [])
        .filter((pid) => {
          try {
            const env = Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0");
            return Deno.readTextFileSync(`/proc/${pid}/comm`).trim() === "xlogo" &&
              env.includes(`DISPLAY=:${desktop.display}`);
          } catch {
            return false; // a short-lived helper that ended
          }
        });
    const deadline = performance.now() + 20_000;
    while (onDisplay().length === 0 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const readLog = () => Deno.readTextFile(`${conf}/logs/output.log`).catch(() => "");
    assertEquals(
      onDisplay().length,
      1,
      `the stand-in runs on the instance's desktop:\n${await readLog()}`,
    );
    // The holder logs output that keeps coming in batches (20 ms at most): wait for the line.
    let log = await readLog();
    while (!log.includes("AppRun --no-sandbox") && performance.now() < deadline + 5_000) {
      await new Promise((r) => setTimeout(r, 20));
      log = await readLog();
    }
    assert(log.includes("AppRun --no-sandbox"), log);
    const stopped = await program.api("POST", `/api/instances/${id}/stop`);
    assertEquals(stopped.body?.status, "stopped", JSON.stringify(stopped.body));
    await assertGone(dir, desktop, installId);
  } finally {
    await program.kill("SIGKILL");
    const last = new Program({ dataDir: dir, blueprints });
    await last.start();
    await last.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
