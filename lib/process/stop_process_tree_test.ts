import { equal, ok, rejects } from "node:assert/strict";
import { stopProcessTree } from "./stop_process_tree.ts";
import { findMarkedProcesses, isSameProcess, readProcessIdentity } from "./process_identity.ts";
import { fixture, isAlive, runTest, testMarker, until } from "./test_support.ts";

const pidsIn = (text: string, label: string) =>
  [...text.matchAll(new RegExp(`${label} (\\d+)`, "g"))].map((m) => Number(m[1]));

Deno.test("T17: stop kills child, grandchild, TERM-ignorers and a setsid escapee (5 runs)", async () => {
  for (let round = 0; round < 5; round++) {
    const { run, plan, dir, output } = await runTest(["bash", fixture("ignores_term.sh")]);
    try {
      await until(() => output().includes("READY"), "the fixture is ready");
      await until(() => pidsIn(output(), "grandchild").length > 0, "the grandchild is reported");
      const [child] = pidsIn(output(), "child");
      const [grandchild] = pidsIn(output(), "grandchild");
      const [escapee] = pidsIn(output(), "escapee-launcher");
      const tree = [run.pid, child, grandchild, escapee].filter((p) => p !== undefined);
      equal(tree.length, 4);
      ok(tree.every(isAlive));
      await until(() => readProcessIdentity(escapee ?? 0)?.sid === escapee, "setsid took effect");
      const report = await stopProcessTree(
        { pid: run.pid, marker: plan.marker, startTicks: run.startTicks },
        { graceMs: 300 },
      );
      equal(report.survivors, 0);
      ok(report.found >= 5, `found ${report.found}`);
      ok(report.killed >= 3, "the TERM-ignoring processes needed SIGKILL");
      ok(report.sweptByMarker >= 1, "the escapee was found by its marker");
      ok(report.termPhaseMs >= 290 && report.totalMs < 2300, JSON.stringify(report));
      for (const pid of tree) ok(!isAlive(pid), `pid ${pid} survived round ${round}`);
      equal(findMarkedProcesses(plan.marker).length, 0);
      equal((await run.exited).signal, 9);
    } finally {
      await run.session.close();
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("a process that honours SIGTERM ends in the grace period without SIGKILL", async () => {
  const { run, plan, dir, output } = await runTest(["bash", "-c", "echo UP; exec sleep 1000"]);
  try {
    await until(() => output().includes("UP"), "started");
    const report = await stopProcessTree({ pid: run.pid, marker: plan.marker }, { graceMs: 5000 });
    equal(report.survivors, 0);
    equal(report.killed, 0);
    equal(report.terminated, 1);
    ok(report.totalMs < 1000, "returns as soon as nothing is left");
    equal((await run.exited).signal, 15);
  } finally {
    await run.session.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("T18: stop works when the leader already exited (3 runs each way)", async () => {
  const scripts = [
    ["bash", fixture("leader_exits.sh")], // leftover in its own group, same session
    ["bash", "-c", "trap '' HUP; sleep 1000 & echo \"leader_exits: left $!\"; exit 0"], // same group
  ];
  for (const argv of scripts) {
    for (let round = 0; round < 3; round++) {
      const session = { closeOnExit: false, exitDrainMs: 100 };
      const { run, plan, dir, output } = await runTest(argv, { session });
      try {
        equal((await run.exited).code, 0);
        const [left] = pidsIn(output(), "left");
        ok(left !== undefined && isAlive(left), "the background job outlived the leader");
        const report = await stopProcessTree({ pid: run.pid, marker: plan.marker }, {
          graceMs: 500,
        });
        equal(report.survivors, 0);
        equal(report.found, 1);
        await until(() => !isAlive(left ?? 0), "the leftover is gone");
      } finally {
        await run.session.close();
        await Deno.remove(dir, { recursive: true });
      }
    }
  }
});

Deno.test("T21: an unrelated process that reuses the pid is never matched nor signalled", async () => {
  const stranger = new Deno.Command("sleep", { args: ["1000"], stdout: "null", stderr: "null" })
    .spawn();
  try {
    const identity = readProcessIdentity(stranger.pid);
    ok(identity !== null);
    const marker = testMarker("t21");
    equal(isSameProcess(stranger.pid, identity.startTicks, marker), false, "no marker");
    equal(isSameProcess(stranger.pid, identity.startTicks + 1, marker), false);
    const report = await stopProcessTree(
      { pid: stranger.pid, marker, startTicks: identity.startTicks + 1 },
      { graceMs: 100 },
    );
    equal(report.found, 0);
    const report2 = await stopProcessTree({ pid: stranger.pid, marker }, { graceMs: 100 });
    equal(report2.found, 0);
    ok(isAlive(stranger.pid), "the stranger is untouched");
  } finally {
    stranger.kill("SIGKILL");
    await stranger.status;
  }
});

Deno.test("isSameProcess accepts the real process and rejects a wrong start time", async () => {
  const { run, plan, dir } = await runTest(["sleep", "1000"]);
  try {
    ok(isSameProcess(run.pid, run.startTicks, plan.marker));
    equal(isSameProcess(run.pid, run.startTicks + 1, plan.marker), false);
    equal(isSameProcess(run.pid, run.startTicks, "other-marker"), false);
    ok(findMarkedProcesses(plan.marker).includes(run.pid));
  } finally {
    await run.session.close();
    await Deno.remove(dir, { recursive: true });
  }
  equal(isSameProcess(run.pid, run.startTicks, plan.marker), false, "dead");
});

Deno.test("refuses to signal pid/pgid ≤ 1 or AiKore itself", async () => {
  const marker = testMarker("refuse");
  for (const pid of [1, 0, -1, -42, Deno.pid]) {
    await rejects(stopProcessTree({ pid, marker }, { graceMs: 10 }), RangeError);
  }
  const ownGroup = readProcessIdentity(Deno.pid)?.pgid ?? 0;
  await rejects(stopProcessTree({ pid: ownGroup, marker }, { graceMs: 10 }), RangeError);
  await rejects(stopProcessTree({ pid: null, marker: "" }, { graceMs: 10 }), TypeError);
  const report = await stopProcessTree({ pid: null, marker }, { graceMs: 10 });
  equal(report.found, 0);
});
