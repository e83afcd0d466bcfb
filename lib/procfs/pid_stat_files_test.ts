import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { PidStatFiles } from "./pid_stat_files.ts";

Deno.test("a kept stat file reads fresh counters and fails once its process is reaped", async () => {
  const child = new Deno.Command("python3", {
    args: ["-c", "import time\nt=time.time()\nwhile time.time()-t < 0.3: pass\ntime.sleep(30)"],
  }).spawn();
  const files = new PidStatFiles("/proc");
  try {
    const first = files.read(child.pid);
    assertEquals(first?.ppid, Deno.pid);
    assertEquals(files.keptCount, 1, "the file stays open");
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = files.read(child.pid);
    assert(
      first && second && second.ticks > first.ticks,
      `ticks grew: ${first?.ticks} → ${second?.ticks}`,
    );
    child.kill("SIGKILL");
    await child.status;
    assertEquals(files.read(child.pid), null, "the reaped process reads as gone");
    assertEquals(files.keptCount, 0, "its file was closed");
    assertEquals(files.read(999_999_999), null);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already reaped
    }
    await child.status;
    files.close();
  }
});

Deno.test("keepOnly closes the other files and maxKept bounds how many stay open", async () => {
  const children = [1, 2, 3].map(() => new Deno.Command("sleep", { args: ["30"] }).spawn());
  const files = new PidStatFiles("/proc", 2);
  try {
    for (const child of children) assertEquals(files.read(child.pid)?.ppid, Deno.pid);
    assertEquals(files.keptCount, 2, "the third is read but not kept");
    files.keepOnly(new Set([children[0]?.pid ?? 0]));
    assertEquals(files.keptCount, 1);
    assertEquals(
      files.read(children[2]?.pid ?? 0)?.ppid,
      Deno.pid,
      "a closed file is opened again",
    );
    files.close();
    assertEquals(files.keptCount, 0);
  } finally {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(children.map((child) => child.status));
    files.close();
  }
});

Deno.test("kept stat files are not inherited by child processes", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const files = new PidStatFiles("/proc");
  try {
    assertEquals(files.read(child.pid)?.ppid, Deno.pid);
    assertEquals(files.keptCount, 1);
    const listing = await new Deno.Command("bash", {
      args: ["-c", 'for fd in /proc/$$/fd/*; do readlink "$fd" || true; done'],
    }).output();
    const targets = new TextDecoder().decode(listing.stdout);
    assert(listing.success && targets.length > 0, "bash listed its descriptors");
    assertEquals(targets.includes(`/proc/${child.pid}/stat`), false, targets);
  } finally {
    files.close();
    child.kill("SIGKILL");
    await child.status;
  }
});
