/**
 * Start/stop hygiene of real desktops: repeated cycles leave nothing, an X server crash is
 * reported, and the desktop of a kill -9'd AiKore is found and reclaimed at the next boot.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "../../tests/helpers/assert.ts";
import { findMarkedProcesses } from "../process/mod.ts";
import { readPidStat } from "../procfs/mod.ts";
import { claimDisplay } from "./claim_display.ts";
import { adoptDesktop, findDesktops, startDesktop, sweepDesktops } from "./mod.ts";
import { killMarked, leftovers, orphanDesktop, tempDirs } from "./test_support.ts";
import { environAfterExec } from "../../tests/helpers/environ_after_exec.ts";

/** Markers unique to this run, so a leftover of an aborted earlier run never counts. */
const RUN = crypto.randomUUID().slice(0, 8);

Deno.test("10 start/stop cycles leave no process, X lock, socket, lease or port behind", async () => {
  const { root, dataDir, instanceDir } = await tempDirs();
  const marker = `desktop-cycle-${RUN}`;
  const displays = new Set<number>();
  for (let cycle = 1; cycle <= 10; cycle++) {
    const desktop = await startDesktop({
      choice: "tigervnc",
      dataDir,
      instanceDir,
      marker,
      displays: { first: 330, last: 339 },
      app: { argv: ["xeyes"], env: {}, cwd: root },
    });
    assert(desktop.appPid !== null, "the app was started");
    // A child caught before its exec still shows AiKore's environment: wait for xeyes itself.
    await environAfterExec(desktop.appPid, "xeyes");
    assert(findMarkedProcesses(marker).includes(desktop.appPid), "the app runs, marked");
    displays.add(desktop.display);
    await desktop.stop();
    assertEquals((await desktop.exited).reason, "stopped");
    assertEquals(
      await leftovers(dataDir, marker, desktop.display, [desktop.vncPort, desktop.webPort]),
      [],
      `cycle ${cycle}`,
    );
  }
  assertEquals(displays.size, 1, "a freed display is taken again");
  await Deno.remove(root, { recursive: true });
});

Deno.test("an X server that dies is reported through exited with a message; stop cleans up after it", async () => {
  const { root, dataDir, instanceDir } = await tempDirs();
  const marker = `desktop-crash-${RUN}`;
  const desktop = await startDesktop({
    choice: "tigervnc",
    dataDir,
    instanceDir,
    marker,
    displays: { first: 340, last: 344 },
  });
  const lease = JSON.parse(
    await Deno.readTextFile(`${dataDir}/desktops/display-${desktop.display}.json`),
  );
  const xserver = lease.processes.find((p: { role: string }) => p.role === "xserver");
  Deno.kill(xserver.pid, "SIGKILL");
  const exit = await desktop.exited;
  assert(exit.reason === "crashed", "reported as a crash");
  assertEquals(exit.signal, "SIGKILL");
  assertMatch(
    exit.message,
    new RegExp(`X server \\(display :${desktop.display}\\) ended with signal SIGKILL`),
  );
  await desktop.stop();
  assertEquals(
    await leftovers(dataDir, marker, desktop.display, [desktop.vncPort, desktop.webPort]),
    [],
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a kill -9 of the AiKore that started a desktop: the desktop lives on, is never taken, and sweepDesktops reclaims it for the next start", async () => {
  const { root, dataDir, instanceDir } = await tempDirs();
  const marker = `desktop-orphan-${RUN}`;
  const displays = { first: 345, last: 345 };
  const spec = {
    choice: "tigervnc",
    dataDir,
    instanceDir,
    marker,
    displays,
    app: { argv: ["xclock"], env: {}, cwd: root },
  };
  try {
    const started = await orphanDesktop(spec);

    // The stand-in AiKore is dead; on a loaded machine the app may still be starting up.
    const deadline = Date.now() + 10_000;
    let orphans = findMarkedProcesses(marker);
    while (orphans.length < 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      orphans = findMarkedProcesses(marker);
    }
    const names = orphans.map((pid) => readPidStat(pid)?.comm ?? "?").join(", ");
    assert(
      orphans.length >= 4,
      `Xvnc, openbox, websockify and the app outlive their AiKore (${orphans.length}: ${names})`,
    );
    await assertRejects(
      () =>
        claimDisplay({
          dataDir,
          displays,
          marker: "someone-else",
          backend: "tigervnc",
          desktopDir: `${root}/other`,
        }),
      /No free X display in 345-345/,
    );

    const report = await sweepDesktops(dataDir, { graceMs: 2_000 });
    assertEquals(report.reclaimed.map((r) => r.display), [345]);
    assert((report.reclaimed[0]?.processes ?? 0) >= 4, "the orphans were ended");
    assertEquals(await leftovers(dataDir, marker, 345, [started.vncPort, started.webPort]), []);

    const next = await startDesktop({ choice: "tigervnc", dataDir, instanceDir, marker, displays });
    assertEquals(next.display, 345);
    await next.stop();
  } finally {
    killMarked(marker); // a failure must not leave the display held for the next run
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("after a kill -9 of its AiKore, a desktop is found and adopted by the next one, which stops it cleanly", async () => {
  const { root, dataDir, instanceDir } = await tempDirs();
  const marker = `desktop-adopt-${RUN}`;
  const displays = { first: 346, last: 346 };
  try {
    const started = await orphanDesktop({
      choice: "tigervnc",
      dataDir,
      instanceDir,
      marker,
      displays,
      pathPrefix: "/instance/adopt/",
    });

    const [found] = await findDesktops(dataDir);
    assertEquals([found?.lease.display, found?.xserverAlive, found?.claimantAlive], [
      346,
      true,
      false,
    ]);
    await assertRejects(
      () => adoptDesktop(dataDir, 346, { marker: "another-instance" }),
      /belongs to another instance/,
    );
    const desktop = await adoptDesktop(dataDir, 346, { marker, pollMs: 100 });
    assertEquals([desktop.display, desktop.vncPort, desktop.webPort, desktop.leaseId], [
      346,
      started.vncPort,
      started.webPort,
      started.leaseId,
    ]);
    assertMatch(
      desktop.viewerPath,
      /^\/instance\/adopt\/vnc\.html\?.*path=instance%2Fadopt%2Fwebsockify/,
    );
    assertEquals(
      (await sweepDesktops(dataDir)).owned.map((l) => l.display),
      [346],
      "the adopter is alive: the sweep leaves it",
    );
    const page = await fetch(`http://127.0.0.1:${desktop.webPort}/`);
    assertMatch(await page.text(), /url=vnc\.html\?/);

    await desktop.stop();
    assertEquals((await desktop.exited).reason, "stopped");
    assertEquals(await leftovers(dataDir, marker, 346, [desktop.vncPort, desktop.webPort]), []);
  } finally {
    killMarked(marker); // a failure must not leave the display held for the next run
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});

Deno.test("a display held by an X server the lock files do not show (abstract socket taken) is passed over at start", async () => {
  const { root, dataDir, instanceDir } = await tempDirs();
  const marker = `desktop-busy-${RUN}`;
  // Another X server in another mount namespace is seen only by its abstract socket.
  const squatter = new Deno.Command("python3", {
    args: [
      "-c",
      "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.bind('\\0/tmp/.X11-unix/X347')\ns.listen(1)\nprint('ready',flush=True)\nsys.stdin.read()",
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = squatter.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assertMatch((await reader.read()).value ?? "", /ready/);
  try {
    const desktop = await startDesktop({
      choice: "tigervnc",
      dataDir,
      instanceDir,
      marker,
      displays: { first: 347, last: 348 },
    });
    assertEquals(desktop.display, 348);
    await desktop.stop();
    assertEquals(await leftovers(dataDir, marker, 348, [desktop.vncPort, desktop.webPort]), []);
    assertEquals(
      await leftovers(dataDir, marker, 347, []),
      [],
      "the failed try on :347 left nothing",
    );
  } finally {
    await squatter.stdin.close();
    await reader.cancel();
    await squatter.status;
    await Deno.remove(root, { recursive: true });
  }
});
