/**
 * A stand-in for AiKore in the restart tests: becomes a child subreaper like main.ts, runs
 * escape.sh KIND through runPlan with MARKER, prints "ready <leader pid>" once the escapee
 * reported, then idles until it is killed.
 * Usage: deno run -A escape_parent.ts MARKER KIND REPORT_FILE OVERWRITER DIR
 */
import { silentLogger } from "../../log/mod.ts";
import { becomeChildSubreaper, runPlan } from "../mod.ts";
import { ESCAPE_SCRIPT, readReport } from "./escapes.ts";

const [marker = "", kind = "", report = "", overwriter = "", dir = ""] = Deno.args;
becomeChildSubreaper();
const run = runPlan({
  argv: [ESCAPE_SCRIPT, kind, report, overwriter],
  env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" },
  cwd: dir,
  logPath: `${dir}/logs/${kind}.log`,
  marker,
}, { logger: silentLogger });
await readReport(report);
await Deno.stdout.write(new TextEncoder().encode(`ready ${run.pid}\n`));
setInterval(() => {}, 60_000);
