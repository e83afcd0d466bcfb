/**
 * Display reservation with real lease files, real X lock files and real processes: concurrent
 * claims never share, stale leases (dead or reused pids) are reclaimed, live ones never.
 */
import { assert, assertEquals, assertRejects } from "../../tests/helpers/assert.ts";
import { readProcessIdentity } from "../process/mod.ts";
import { claimDisplay, type ClaimRequest } from "./claim_display.ts";
import type { DesktopLease } from "./desktop_lease.ts";
import { readLeases, withLeaseLock, writeLease } from "./lease_store.ts";
import { tempDirs } from "./test_support.ts";
import { fifoRescuer, plantFifo, REFUSED_WITHIN_MS } from "../../tests/helpers/planted_fifo.ts";
import { xLockPath, xSocketPath } from "./x_display_files.ts";

/** Displays only this file uses (X lock files are machine-wide). */
const FIRST = 360;

function request(dataDir: string, marker: string, last = FIRST + 3): ClaimRequest {
  return {
    dataDir,
    displays: { first: FIRST, last },
    marker,
    backend: "tigervnc",
    desktopDir: `${dataDir}/d-${marker}`,
  };
}

/** A process that has already exited: its pid and start time identify nobody alive. */
async function deadIdentity(): Promise<{ pid: number; startTicks: number }> {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const identity = readProcessIdentity(child.pid);
  child.kill("SIGKILL");
  await child.status;
  return { pid: child.pid, startTicks: identity?.startTicks ?? 0 };
}

function lease(
  display: number,
  claimant: { pid: number; startTicks: number },
  marker: string,
): DesktopLease {
  return {
    version: 1,
    display,
    leaseId: crypto.randomUUID(),
    marker,
    backend: "tigervnc",
    vncPort: 5999,
    webPort: 6999,
    desktopDir: "/nonexistent/desktop",
    pathPrefix: "/",
    claimant,
    processes: [{ role: "xserver", ...claimant }],
    createdAt: new Date(0).toISOString(),
  };
}

Deno.test("concurrent claims get distinct displays and ports, each recorded under the data dir", async () => {
  const { root, dataDir } = await tempDirs();
  const leases = await Promise.all(
    ["a", "b", "c"].map((m) => claimDisplay(request(dataDir, `claim-${m}`))),
  );
  assertEquals(new Set(leases.map((l) => l.display)).size, 3);
  assertEquals(new Set(leases.flatMap((l) => [l.vncPort, l.webPort])).size, 6);
  assert(leases.every((l) => l.claimant.pid === Deno.pid), "claimed by this process");
  const onDisk = await withLeaseLock(dataDir, () => readLeases(dataDir));
  assertEquals(onDisk.map((e) => e.lease?.leaseId).sort(), leases.map((l) => l.leaseId).sort());
  await Deno.remove(root, { recursive: true });
});

Deno.test("a lease whose claimant and processes are dead is reclaimed, with the X lock and socket its server left", async () => {
  const { root, dataDir } = await tempDirs();
  const dead = await deadIdentity();
  await withLeaseLock(dataDir, () => writeLease(dataDir, lease(FIRST, dead, "gone-marker")));
  await Deno.writeTextFile(xLockPath(FIRST), `${String(dead.pid).padStart(10)}\n`);
  await Deno.mkdir("/tmp/.X11-unix", { recursive: true });
  await Deno.writeTextFile(xSocketPath(FIRST), "");
  try {
    const claimed = await claimDisplay(request(dataDir, "reclaimer"));
    assertEquals(claimed.display, FIRST);
    await assertRejects(() => Deno.lstat(xLockPath(FIRST)), /No such file/);
    await assertRejects(() => Deno.lstat(xSocketPath(FIRST)), /No such file/);
  } finally {
    await Deno.remove(xLockPath(FIRST)).catch(() => {});
    await Deno.remove(xSocketPath(FIRST)).catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a live lease is never taken, even when its pid was reused by another process", async () => {
  const { root, dataDir } = await tempDirs();
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const live = { pid: sleeper.pid, startTicks: readProcessIdentity(sleeper.pid)?.startTicks ?? -1 };
  try {
    await withLeaseLock(dataDir, async () => {
      await writeLease(dataDir, lease(FIRST, live, "live-marker"));
      // Same live pid, other start time: the process it named is gone (pid reuse).
      await writeLease(
        dataDir,
        lease(FIRST + 1, { pid: live.pid, startTicks: live.startTicks + 1 }, "reused-marker"),
      );
    });
    const claimed = await claimDisplay(request(dataDir, "newcomer", FIRST + 1));
    assertEquals(claimed.display, FIRST + 1);
    await assertRejects(
      () => claimDisplay(request(dataDir, "third", FIRST + 1)),
      /No free X display in 360-361/,
    );
    const kept = (await withLeaseLock(dataDir, () => readLeases(dataDir))).find((e) =>
      e.display === FIRST
    );
    assertEquals(kept?.lease?.marker, "live-marker");
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a display whose X lock names a live process (another X server) is passed over", async () => {
  const { root, dataDir } = await tempDirs();
  const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
  await Deno.writeTextFile(xLockPath(FIRST), `${String(sleeper.pid).padStart(10)}\n`);
  try {
    const claimed = await claimDisplay(request(dataDir, "polite"));
    assertEquals(claimed.display, FIRST + 1);
    assertEquals(
      Deno.readTextFileSync(xLockPath(FIRST)).trim(),
      String(sleeper.pid),
      "foreign lock untouched",
    );
  } finally {
    await Deno.remove(xLockPath(FIRST)).catch(() => {});
    sleeper.kill("SIGKILL");
    await sleeper.status;
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("two AiKore processes claiming at the same moment never get the same display or port", async () => {
  const { root, dataDir } = await tempDirs();
  const script = new URL("../../tests/fixtures/desktop/claim_once.ts", import.meta.url).pathname;
  const children = [1, 2, 3].map(() =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, dataDir, `${FIRST}-${FIRST + 5}`],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn()
  );
  const answers: { display: number; ports: number[] }[] = [];
  const readers = children.map((child) =>
    child.stdout.pipeThrough(new TextDecoderStream()).getReader()
  );
  for (const reader of readers) {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    answers.push(JSON.parse(text));
  }
  for (const [index, child] of children.entries()) {
    await child.stdin.close();
    await readers[index]?.cancel();
    await child.status;
  }
  assertEquals(new Set(answers.map((a) => a.display)).size, 3, JSON.stringify(answers));
  assertEquals(new Set(answers.flatMap((a) => a.ports)).size, 6);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a named pipe planted as a display's X lock is passed over at once, never waited on", async () => {
  const { root, dataDir } = await tempDirs();
  // /tmp is everyone's: any local user (or app) can leave a pipe where an X lock would be.
  await plantFifo(xLockPath(FIRST));
  const rescuer = fifoRescuer(xLockPath(FIRST));
  try {
    const started = performance.now();
    const claimed = await claimDisplay(request(dataDir, "wary"));
    const ms = performance.now() - started;
    assert(ms < REFUSED_WITHIN_MS, `the claim answered after ${Math.round(ms)} ms`);
    assertEquals(claimed.display, FIRST + 1, "an unreadable lock counts as held");
    assert((await Deno.lstat(xLockPath(FIRST))).isFifo, "the pipe is left where it was");
  } finally {
    rescuer.kill("SIGKILL");
    await rescuer.status;
    await Deno.remove(xLockPath(FIRST)).catch(() => {});
    await Deno.remove(root, { recursive: true });
  }
});
