/**
 * `instances runs NAME`: the run history from a shell — each run's start, duration and outcome,
 * and what changed in its environment since the last run that worked.
 */
import { describeChange } from "../shared/environment_snapshot.ts";
import { type ListedRun, runDuration, runOutcome } from "../shared/run_entry.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { withApi } from "./instance_commands.ts";
import { textColumns } from "./text_columns.ts";

/** The environment column: its size, and the changes since the last run that worked. */
function environment(run: ListedRun): string {
  const env = run.environment;
  if (!env) return "-";
  const held = `${env.packages} package${env.packages === 1 ? "" : "s"}`;
  if (env.changes === null) return held;
  if (env.changes.length === 0) return `${held}, no change`;
  return `${held}; changed: ${env.changes.map(describeChange).join(", ")}`;
}

/** `instances runs NAME [--json]`: the runs, newest first. */
export function instanceRuns(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const target = await api.instance(args.positionals[0] as string);
    const { runs } = await api.json<{ runs: ListedRun[] }>(
      "GET",
      `/api/instances/${target.id}/runs`,
    );
    if (args.flags.has("json")) return { exitCode: 0, output: JSON.stringify(runs, null, 2) };
    if (runs.length === 0) return { exitCode: 0, output: `${target.slug} has not run yet` };
    const rows = runs.map((run) => [
      new Date(run.started_at).toISOString().replace("T", " ").slice(0, 19),
      runDuration(run.duration_ms),
      runOutcome(run),
      environment(run),
    ]);
    return {
      exitCode: 0,
      output: textColumns([["STARTED", "DURATION", "OUTCOME", "ENVIRONMENT"], ...rows]),
    };
  });
}
