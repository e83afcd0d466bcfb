import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { environHas, isRunning, listLiveProcesses, readEnviron, readPidStat } from "./processes.ts";

Deno.test("reads this process's stat, lists it among the live ones, and null for a missing pid", () => {
  const own = readPidStat(Deno.pid);
  assertEquals(own?.pid, Deno.pid);
  assertEquals(readPidStat("self")?.startTicks, own?.startTicks);
  assert((own?.startTicks ?? 0) > 0);
  assert(listLiveProcesses().some((p) => p.pid === Deno.pid));
  assertEquals(readPidStat(2 ** 30), null);
  assertEquals(isRunning(2 ** 30), false);
});

Deno.test("a child's state and environment are read; once ended it is not running nor listed", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "sleep 30"],
    env: { PROCFS_TEST: "yes=1" },
    clearEnv: true,
  }).spawn();
  try {
    assertEquals(isRunning(child.pid), true);
    const end = performance.now() + 2000;
    while (!environHas(child.pid, "PROCFS_TEST=yes=1") && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assertEquals(environHas(child.pid, "PROCFS_TEST=yes=1"), true);
    assertEquals(environHas(child.pid, "PROCFS_TEST=yes"), false, "whole entries only");
    assert(readEnviron(child.pid)?.includes("PROCFS_TEST=yes=1"));
    Deno.kill(child.pid, "SIGSTOP");
    const stopBy = performance.now() + 2000;
    while (readPidStat(child.pid)?.state !== "T" && performance.now() < stopBy) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assertEquals(readPidStat(child.pid)?.state, "T");
    Deno.kill(child.pid, "SIGCONT");
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assertEquals(isRunning(child.pid), false);
  assertEquals(listLiveProcesses().some((p) => p.pid === child.pid), false);
});
