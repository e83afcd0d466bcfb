import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { readPidStat as readProcStat } from "../procfs/mod.ts";
import { findHolders, inspectHolder, isLiveHolder, spawnHolder } from "./mod.ts";
import { counterArgv, holderBinary, holderTest, isAlive, until } from "./test_support.ts";

function writeRecord(dir: string, record: Record<string, unknown>): void {
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(`${dir}/holder.json`, JSON.stringify({ format: 1, ...record }));
}

holderTest(
  "holder identity: a pid reused by an unrelated process is never taken for the holder",
  async () => {
    const root = await Deno.makeTempDir({ prefix: "aikore-holder-id-" });
    // A live process that is not a holder stands in for the one that reused the pid.
    const stranger = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      const ticks = readProcStat(stranger.pid)?.startTicks ?? 0;
      const base = { marker: "m-1", appPid: stranger.pid, appStartTicks: ticks, startedAt: 1 };
      // Same pid, other start time: the recorded holder died and the pid was reused.
      writeRecord(`${root}/a`, { ...base, holderPid: stranger.pid, holderStartTicks: ticks + 1 });
      // Same pid and start time, but no holder marker in its environment.
      writeRecord(`${root}/b`, { ...base, holderPid: stranger.pid, holderStartTicks: ticks });
    } catch (error) {
      stranger.kill("SIGKILL");
      throw error;
    }
    Deno.mkdirSync(`${root}/c`, { recursive: true });
    Deno.writeTextFileSync(`${root}/c/holder.json`, "{not json");
    const found = findHolders(root);
    assertEquals(found.map((f) => [f.dir.slice(root.length + 1), f.state]), [
      ["a", "lost"],
      ["b", "lost"],
      ["c", "unreadable"],
    ]);
    assert(isAlive(stranger.pid), "nothing signalled the stranger");
    stranger.kill("SIGKILL");
    await stranger.status;
    await Deno.remove(root, { recursive: true });
  },
);

holderTest(
  "holder identity: a real holder is found running; its record matches /proc",
  async (t) => {
    const plan = await t.plan(counterArgv("1"));
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    const found = inspectHolder(plan.dir);
    assert(found?.state === "running" && found.appAlive, JSON.stringify(found));
    assertEquals(found.handle.holderStartTicks, readProcStat(handle.holderPid)?.startTicks);
    assertEquals(readProcStat(handle.appPid)?.sid, handle.appPid, "the app leads its own session");
    assertEquals(
      readProcStat(handle.holderPid)?.ppid,
      1,
      "the holder is detached from its starter",
    );
    assert(isLiveHolder({ ...found.handle, holderStartTicks: found.handle.holderStartTicks }));
    assertEquals(isLiveHolder({ ...found.handle, marker: "someone-else" }), false);
    assertEquals((Deno.statSync(`${plan.dir}/holder.sock`).mode ?? 0) & 0o777, 0o600);
    const connection = await handle.connect();
    await connection.signal("SIGKILL", "session");
    connection.close();
    await until(() => !isAlive(handle.holderPid), "holder exit");
  },
);

holderTest(
  "holder: a program that cannot be started is a clear error and leaves no holder",
  async (t) => {
    const plan = await t.plan(["no-such-program-xyz", "arg"]);
    let message = "";
    await spawnHolder(plan, { binary: await holderBinary() }).catch((e) => (message = e.message));
    assert(/cannot start "no-such-program-xyz": No such file or directory/.test(message), message);
    assertEquals(inspectHolder(plan.dir), null);
    assertEquals([...Deno.readDirSync(plan.dir)].map((e) => e.name), []);
  },
);

holderTest("holder: a second holder for the same runtime folder is refused", async (t) => {
  const plan = await t.plan(counterArgv("1"));
  const binary = await holderBinary();
  const first = await spawnHolder(plan, { binary });
  let message = "";
  await spawnHolder(plan, { binary }).catch((e) => (message = e.message));
  assert(message.includes("a holder is already running"), message);
  assert(isAlive(first.appPid));
  const connection = await first.connect();
  await connection.signal("SIGKILL");
  connection.close();
  await until(() => !isAlive(first.holderPid), "holder exit");
});
