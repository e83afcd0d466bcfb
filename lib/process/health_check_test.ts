import { equal, ok, rejects } from "node:assert/strict";
import { waitUntilHealthy } from "./health_check.ts";
import { probeHttp } from "./http_probe.ts";
import { stopProcessTree } from "./stop_process_tree.ts";
import { fixture, freePort, runTest } from "./test_support.ts";
import type { RunningProcess } from "./run_plan.ts";

async function stop(run: RunningProcess, marker: string, dir: string) {
  await stopProcessTree({ pid: run.pid, marker, startTicks: run.startTicks }, { graceMs: 1000 });
  await run.exited;
  await Deno.remove(dir, { recursive: true });
}

const context = (run: RunningProcess, signal = new AbortController().signal) => ({
  session: run.session,
  exited: run.exited,
  signal,
});

Deno.test("http: healthy only once the app opens its port", async () => {
  const port = freePort();
  const { run, plan, dir } = await runTest(["bash", fixture("http_app.sh")], {
    env: { WEBUI_PORT: String(port), APP_DELAY: "0.5" },
  });
  try {
    const started = performance.now();
    equal(await probeHttp(port, "/"), null, "nothing listens yet");
    equal(await waitUntilHealthy({ kind: "http", port, path: "/" }, context(run)), "healthy");
    ok(performance.now() - started >= 450, "not before the port opened");
    equal(await probeHttp(port, "/"), 200);
  } finally {
    await stop(run, plan.marker, dir);
  }
});

Deno.test("http: a process that exits at once is reported as exited", async () => {
  const { run, plan, dir } = await runTest(["bash", fixture("exits_at_once.sh")]);
  try {
    const outcome = await waitUntilHealthy(
      { kind: "http", port: freePort(), path: "/" },
      context(run),
    );
    equal(outcome, "exited");
    equal((await run.exited).code, 3);
  } finally {
    await stop(run, plan.marker, dir);
  }
});

Deno.test("http: a port that never opens waits until aborted", async () => {
  const { run, plan, dir } = await runTest(["bash", fixture("never_opens_port.sh")]);
  try {
    const outcome = await waitUntilHealthy(
      { kind: "http", port: freePort(), path: "/" },
      context(run, AbortSignal.timeout(300)),
    );
    equal(outcome, "aborted");
  } finally {
    await stop(run, plan.marker, dir);
  }
});

Deno.test("http: answers of 500 and above are not healthy, below 500 are", async () => {
  let status = 503;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("x", { status }),
  );
  const { run, plan, dir } = await runTest(["sleep", "1000"]);
  try {
    const port = server.addr.port;
    equal(await probeHttp(port, "/healthz?x=1"), 503);
    setTimeout(() => (status = 404), 200);
    const started = performance.now();
    equal(await waitUntilHealthy({ kind: "http", port, path: "/" }, context(run)), "healthy");
    ok(performance.now() - started >= 150);
    await rejects(
      waitUntilHealthy({ kind: "http", port, path: "/ HTTP/1.1\r\nX: y" }, context(run)),
      RangeError,
    );
  } finally {
    await server.shutdown();
    await stop(run, plan.marker, dir);
  }
});

Deno.test("log: a coloured READY line matches, also when printed before the wait", async () => {
  const { run, plan, dir, output } = await runTest(["bash", fixture("log_ready.sh")], {
    env: { WEBUI_PORT: "4242" },
  });
  try {
    const pattern = /READY on port \d+/g;
    equal(await waitUntilHealthy({ kind: "log", pattern }, context(run)), "healthy");
    ok(output().includes("\x1b[32mREADY"), "the line really was coloured");
    equal(await waitUntilHealthy({ kind: "log", pattern }, context(run)), "healthy");
    const other = await waitUntilHealthy(
      { kind: "log", pattern: /NEVER/ },
      context(run, AbortSignal.timeout(100)),
    );
    equal(other, "aborted");
  } finally {
    await stop(run, plan.marker, dir);
  }
});

Deno.test("process: alive is healthy, a quick exit is not", async () => {
  const alive = await runTest(["sleep", "1000"]);
  const dead = await runTest(["bash", "-c", "exit 1"]);
  try {
    equal(await waitUntilHealthy({ kind: "process" }, context(alive.run)), "healthy");
    equal(
      await waitUntilHealthy({ kind: "process" }, { ...context(dead.run), intervalMs: 2000 }),
      "exited",
    );
    const aborted = new AbortController();
    aborted.abort();
    equal(
      await waitUntilHealthy({ kind: "process" }, context(alive.run, aborted.signal)),
      "aborted",
    );
  } finally {
    await stop(alive.run, alive.plan.marker, alive.dir);
    await stop(dead.run, dead.plan.marker, dead.dir);
  }
});

Deno.test("log: a catastrophic pattern on 10,000-character lines never stalls the event loop", async () => {
  // Issue 16 §7: `^(a+)+$` on one 27-character line froze the server for 4 s (JavaScript's
  // backtracking engine doubles per character). 20 lines of 10,000 'a' and a '!' each.
  const script =
    `for i in $(seq 20); do printf 'a%.0s' $(seq 10000); echo '!'; sleep 0.02; done; ` +
    `echo DONE; exec sleep 1000`;
  const { run, plan, dir, output } = await runTest(["bash", "-c", script]);
  let worstGapMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worstGapMs = Math.max(worstGapMs, now - last);
    last = now;
  }, 5);
  try {
    // `b` never comes, so every line is tried (with `^(a+)+$` a window of a's may match early).
    const never = new AbortController();
    const catastrophic = waitUntilHealthy(
      { kind: "log", pattern: /^(a+)+b$/ },
      context(run, never.signal),
    );
    equal(await waitUntilHealthy({ kind: "log", pattern: /DONE/ }, context(run)), "healthy");
    never.abort();
    equal(await catastrophic, "aborted");
    ok(output().includes("DONE"));
    // Generous bound: the backtracking engine would need longer than the universe's age here.
    ok(worstGapMs < 2000, `the event loop stalled for ${Math.round(worstGapMs)} ms`);
  } finally {
    clearInterval(ticker);
    await stop(run, plan.marker, dir);
  }
});

Deno.test("log: patterns RE2 cannot run are refused up front", async () => {
  const { run, plan, dir } = await runTest(["sleep", "1000"]);
  try {
    await rejects(
      waitUntilHealthy({ kind: "log", pattern: /(a)\1/ }, context(run)),
      /not supported \(RE2 syntax/,
    );
  } finally {
    await stop(run, plan.marker, dir);
  }
});
