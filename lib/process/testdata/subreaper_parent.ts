/**
 * Checks the subreaper + tree layers without cgroups, in a process of its own (prctl changes
 * the whole process): a double-forked daemon that drops its marker is seen while its middle
 * process lives, then orphaned; it must be re-parented here, stay a member, and end on Stop.
 * Prints one JSON line. Usage: deno run -A subreaper_parent.ts MARKER REPORT_FILE DIR
 */
import { silentLogger } from "../../log/mod.ts";
import { becomeChildSubreaper, ProcessContainment, runPlan, stopProcessTree } from "../mod.ts";
import { alive, ESCAPE_SCRIPT, portFree, readReport } from "./escapes.ts";
import { readPidStat } from "../../procfs/mod.ts";

const [marker = "", report = "", dir = ""] = Deno.args;
const subreaper = becomeChildSubreaper();
const containment = new ProcessContainment({ cgroups: false }).prepare(marker);
const run = runPlan({
  argv: [ESCAPE_SCRIPT, "double-fork-wait", report, ""],
  env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" },
  cwd: dir,
  logPath: `${dir}/logs/subreaper.log`,
  marker,
}, { logger: silentLogger, containment });
const escapee = await readReport(report);
const seenBefore = containment.members().some((p) => p.pid === escapee.pid);
Deno.writeTextFileSync(`${report}.go`, "");
const parentOf = (pid: number) => readPidStat(pid)?.ppid ?? 0;
const end = performance.now() + 5000;
while (parentOf(escapee.pid) !== Deno.pid && performance.now() < end) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const reparented = parentOf(escapee.pid) === Deno.pid;
const seenAfter = containment.members().some((p) => p.pid === escapee.pid);
const stop = await stopProcessTree(
  { pid: run.pid, marker, startTicks: run.startTicks, containment },
  { graceMs: 300 },
);
await run.exited;
const result = {
  subreaper,
  seenBefore,
  reparented,
  seenAfter,
  survivors: stop.survivors,
  escapeeAlive: alive(escapee.pid),
  portFree: portFree(escapee.port),
};
await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(result) + "\n"));
Deno.exit(0);
