import { deepEqual, equal, ok } from "node:assert/strict";
import { hasMarker, readProcessIdentity } from "./process_identity.ts";
import { ProcessContainment } from "./process_containment.ts";
import { stopProcessTree, sweepLeftoverScopes } from "./stop_process_tree.ts";
import { runTest, testMarker } from "./test_support.ts";
import { runPlan } from "./run_plan.ts";
import { silentLogger } from "../log/mod.ts";
import {
  alive,
  compileOverwriter,
  ESCAPE_KINDS,
  ESCAPE_SCRIPT,
  type EscapeKind,
  portFree,
  readReport,
} from "./testdata/escapes.ts";

const hasCgroups = new ProcessContainment().layers().includes("cgroup");
const here = new URL(".", import.meta.url).pathname;

/** Starts escape.sh KIND under runPlan; returns the run, the escapee and a temp dir. */
async function startEscape(kind: EscapeKind, containment?: ProcessContainment) {
  const dir = await Deno.makeTempDir({ prefix: "aikore-escape-" });
  const overwriter = kind === "environ-overwritten" ? await compileOverwriter(dir) : "";
  const report = `${dir}/report`;
  const started = await runTest(
    [ESCAPE_SCRIPT, kind, report, overwriter],
    containment ? { containment } : {},
  );
  const marker = started.plan.marker;
  const escapee = await readReport(report);
  return { ...started, escapee, marker, dir };
}

/** The escape really happened: the escapee left the leader's session and lost its marker. */
function assertEscaped(escapee: { pid: number }, leaderPid: number, marker: string) {
  const identity = readProcessIdentity(escapee.pid);
  ok(identity, "the escapee runs");
  ok(identity.sid !== leaderPid, "the escapee left the instance's session");
  equal(hasMarker(escapee.pid, marker), false, "the escapee does not carry the marker");
}

for (const kind of ESCAPE_KINDS) {
  Deno.test({
    name: `stop ends an escapee (${kind}) and frees its port, through the instance's cgroup`,
    ignore: !hasCgroups,
    async fn() {
      const { run, escapee, marker, dir } = await startEscape(kind);
      try {
        assertEscaped(escapee, run.pid, marker);
        equal(portFree(escapee.port), false, "the escapee holds its port");
        const report = await stopProcessTree(
          { pid: run.pid, marker, startTicks: run.startTicks },
          { graceMs: 200 },
        );
        equal(report.survivors, 0);
        ok(report.sweptByMarker >= 1, "the escapee was found outside the group");
        equal(alive(escapee.pid), false, "the escapee is gone");
        equal(portFree(escapee.port), true, "its port is free again");
        await run.exited;
      } finally {
        if (alive(escapee.pid)) Deno.kill(escapee.pid, "SIGKILL");
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

for (const kind of ["marker-dropped", "marker-changed"] as const) {
  Deno.test(`without cgroups, the process tree still ends an escapee (${kind})`, async () => {
    const containment = new ProcessContainment({ cgroups: false });
    deepEqual(containment.layers().includes("cgroup"), false);
    const { run, escapee, marker, dir } = await startEscape(kind, containment);
    try {
      assertEscaped(escapee, run.pid, marker);
      const report = await stopProcessTree(
        {
          pid: run.pid,
          marker,
          startTicks: run.startTicks,
          containment: containment.prepare(marker),
        },
        { graceMs: 200 },
      );
      equal(report.survivors, 0);
      equal(alive(escapee.pid), false);
      equal(portFree(escapee.port), true);
      await run.exited;
    } finally {
      if (alive(escapee.pid)) Deno.kill(escapee.pid, "SIGKILL");
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("without cgroups, a daemon seen once stays found after it is orphaned to the subreaper", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-subreaper-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${here}testdata/subreaper_parent.ts`,
        testMarker("sr"),
        `${dir}/report`,
        dir,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    equal(code, 0, new TextDecoder().decode(stderr));
    deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
      subreaper: true,
      seenBefore: true,
      reparented: true,
      seenAfter: true,
      survivors: 0,
      escapeeAlive: false,
      portFree: true,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const kind of ESCAPE_KINDS) {
  Deno.test({
    name: `after a kill -9 of AiKore, a fresh sweep finds and ends an escapee (${kind})`,
    ignore: !hasCgroups,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "aikore-restart-" });
      const marker = testMarker("rs");
      const report = `${dir}/report`;
      const overwriter = kind === "environ-overwritten" ? await compileOverwriter(dir) : "";
      const parent = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          `${here}testdata/escape_parent.ts`,
          marker,
          kind,
          report,
          overwriter,
          dir,
        ],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      let escapee = { pid: 0, port: 0 };
      try {
        const reader = parent.stdout.getReader();
        const { value } = await reader.read();
        const line = new TextDecoder().decode(value);
        ok(line.startsWith("ready "), line);
        escapee = await readReport(report);
        parent.kill("SIGKILL");
        await parent.status;
        reader.releaseLock();
        await parent.stdout.cancel();
        ok(alive(escapee.pid), "the escapee outlived the killed AiKore");
        equal(portFree(escapee.port), false);
        // A new AiKore: it has never seen these processes; only what the kernel kept remains.
        const fresh = new ProcessContainment().prepare(marker);
        ok(fresh.members().some((p) => p.pid === escapee.pid), "the fresh census finds it");
        const stopped = await stopProcessTree({ pid: null, marker, containment: fresh }, {
          graceMs: 200,
        });
        equal(stopped.survivors, 0);
        equal(alive(escapee.pid), false);
        equal(portFree(escapee.port), true);
        deepEqual(fresh.members(), []);
      } finally {
        if (escapee.pid > 0 && alive(escapee.pid)) Deno.kill(escapee.pid, "SIGKILL");
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("a prepared instance reports its members and killAll ends them all at once", async () => {
  const { run, escapee, marker, dir } = await startEscape("marker-changed");
  try {
    const containment = new ProcessContainment().prepare(marker);
    containment.adopt(run.pid, { leader: true });
    const pids = containment.members().map((p) => p.pid);
    ok(pids.includes(run.pid) && pids.includes(escapee.pid), JSON.stringify(pids));
    ok(containment.killAll() >= 2);
    await run.exited;
    const end = performance.now() + 5000;
    while (alive(escapee.pid) && performance.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    equal(alive(escapee.pid), false);
    equal(containment.release(), true);
  } finally {
    if (alive(escapee.pid)) Deno.kill(escapee.pid, "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "at boot, the cgroups of instances nobody claims any more are swept; claimed ones are left",
  ignore: !hasCgroups,
  async fn() {
    const prefix = `${testMarker("sweep")}.`;
    const dir = await Deno.makeTempDir({ prefix: "aikore-sweep-" });
    const runs = [];
    try {
      for (const id of [1, 2]) {
        runs.push(runPlan({
          argv: ["sleep", "60"],
          env: { PATH: "/usr/bin:/bin" },
          cwd: dir,
          logPath: `${dir}/${id}.log`,
          marker: `${prefix}${id}`,
        }, { logger: silentLogger }));
      }
      const fresh = new ProcessContainment(); // as after a restart
      deepEqual(fresh.leftoverMarkers(prefix).sort(), [`${prefix}1`, `${prefix}2`]);
      const swept = await sweepLeftoverScopes(
        prefix,
        new Set([`${prefix}2`]),
        { graceMs: 200 },
        fresh,
      );
      deepEqual(swept, [`${prefix}1`]);
      await runs[0]?.exited;
      equal(alive(runs[0]?.pid ?? 0), false);
      equal(alive(runs[1]?.pid ?? 0), true, "the claimed instance runs on");
      deepEqual(fresh.leftoverMarkers(prefix), [`${prefix}2`]);
    } finally {
      for (const [index, run] of runs.entries()) {
        const marker = `${prefix}${index + 1}`;
        await stopProcessTree({ pid: run.pid, marker, startTicks: run.startTicks }, {
          graceMs: 100,
        });
        await run.exited;
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
