import { equal, ok, throws } from "node:assert/strict";
import { runPlan } from "./run_plan.ts";
import { findMarkedProcesses, readProcessIdentity } from "./process_identity.ts";
import { stopProcessTree } from "./stop_process_tree.ts";
import { fixture, runTest, testMarker, until } from "./test_support.ts";
import { createLogger, silentLogger } from "../log/mod.ts";

Deno.test("runs the plan in its own session with the marker in its environment", async () => {
  const { run, plan, dir, output } = await runTest([
    "bash",
    "-c",
    'echo "ID=$AIKORE_INSTANCE_ID ARG=$0"; echo "PIPE=$(yes | head -c 1 >/dev/null; echo ${PIPESTATUS[0]})"; exec sleep 1000',
    "a b",
  ]);
  try {
    await until(() => output().includes("PIPE="), "the script ran");
    ok(output().includes(`ID=${plan.marker} ARG=a b`));
    ok(output().includes("PIPE=141"), "SIGPIPE is at its default");
    const identity = readProcessIdentity(run.pid);
    equal(identity?.sid, run.pid);
    equal(identity?.pgid, run.pid);
    equal(identity?.startTicks, run.startTicks);
    ok(findMarkedProcesses(plan.marker).includes(run.pid));
    await run.log.flush();
    const logged = await Deno.readTextFile(plan.logPath);
    ok(logged.includes(`ID=${plan.marker}`), "output reaches the log file");
  } finally {
    await stopProcessTree({ pid: run.pid, marker: plan.marker }, { graceMs: 1000 });
    await run.exited;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("T29 (scaled down): a flood of \\r lines and invalid UTF-8 keeps the logs capped", async () => {
  const { run, plan, dir, output } = await runTest(["bash", fixture("flood.sh")], {
    env: { FLOOD_BYTES: "3000000" },
    logMaxBytes: 256 * 1024,
  });
  try {
    await until(() => output().includes("flood: DONE"), "the flood finished", 20_000);
    await run.log.flush();
    const sizes: number[] = [];
    for (const suffix of ["", ".1", ".2"]) {
      sizes.push((await Deno.stat(plan.logPath + suffix)).size);
    }
    ok(sizes.every((size) => size > 0 && size <= 256 * 1024), `sizes ${sizes}`);
    const files = [...Deno.readDirSync(`${dir}/logs`)].map((e) => e.name).sort();
    equal(files.join(","), "output.log,output.log.1,output.log.2");
    ok(run.session.scrollback().length <= 1024 * 1024);
    const tail = await Deno.readTextFile(plan.logPath);
    ok(tail.includes("flood: DONE"), "the newest output is in the live file");
  } finally {
    await stopProcessTree({ pid: run.pid, marker: plan.marker }, { graceMs: 1000 });
    await run.exited;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a new run moves the previous run's log to .1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const plan = {
      argv: ["bash", "-c", "echo run-$RUN"],
      env: { PATH: "/usr/bin:/bin", RUN: "one" },
      cwd: dir,
      logPath: `${dir}/output.log`,
      marker: testMarker("rerun"),
    };
    await runPlan(plan, { logger: silentLogger }).exited;
    await runPlan({ ...plan, env: { ...plan.env, RUN: "two" } }, { logger: silentLogger }).exited;
    ok((await Deno.readTextFile(`${dir}/output.log`)).includes("run-two"));
    ok((await Deno.readTextFile(`${dir}/output.log.1`)).includes("run-one"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a program that cannot start throws a clear error and is logged", async () => {
  const dir = await Deno.makeTempDir();
  const lines: string[] = [];
  try {
    const plan = {
      argv: ["/nonexistent/app"],
      env: {},
      cwd: dir,
      logPath: `${dir}/output.log`,
      marker: testMarker("enoent"),
    };
    const logger = createLogger("info", "test", (line) => lines.push(line));
    throws(() => runPlan(plan, { logger }), /Cannot start "\/nonexistent\/app".*ENOENT/);
    ok(lines.some((line) => line.includes("cannot start the process")));
    throws(() => runPlan({ ...plan, argv: [] }, { logger }), TypeError);
    throws(() => runPlan({ ...plan, marker: "bad marker" }, { logger }), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
