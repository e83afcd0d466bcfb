/**
 * `usage` and `instances usage NAME`: the usage history as a table of means, highest and latest
 * values, for a look from a shell at what ran overnight.
 */
import { formatBytes } from "../shared/stats.ts";
import {
  historyHoursProblem,
  type HistorySeries,
  type InstanceUsageHistory,
  seriesSummary,
  type UsageHistory,
} from "../shared/usage_history.ts";
import { ApiFailure } from "./api_client.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { withApi } from "./instance_commands.ts";
import { textColumns } from "./text_columns.ts";

type Format = (value: number) => string;
const percent: Format = (value) => `${value.toFixed(1)}%`;
const unit = (suffix: string): Format => (value) => `${value.toFixed(0)}${suffix}`;
const bytes: Format = (value) => formatBytes(value, 1);

/** The `--hours` asked (default 24); a usage error for another. */
function hoursOf(args: ParsedArgs): string {
  const hours = args.flags.get("hours") ?? "24";
  const problem = historyHoursProblem(hours);
  if (problem) throw new ApiFailure(`--hours ${problem}, not "${hours}"`, true);
  return hours;
}

/** "covers 5 h 10 min of the last 24 h": how much of the range has samples. */
function coverage(history: { hours: number; step_ms: number }, series: HistorySeries): string {
  const minutes = Math.round((series.filter((v) => v !== null).length * history.step_ms) / 60_000);
  const covered = minutes >= 60
    ? `${Math.floor(minutes / 60)} h ${minutes % 60} min`
    : `${minutes} min`;
  return `samples cover ${covered} of the last ${history.hours} h (a gap: not running)`;
}

/** The table: one row per series, its mean, highest and latest value. */
function table(rows: [string, HistorySeries, Format][]): string {
  const lines = rows.map(([name, series, format]) => {
    const summary = seriesSummary(series);
    return summary
      ? [name, format(summary.mean), format(summary.max), format(summary.last)]
      : [name, "-", "-", "-"];
  });
  return textColumns([["SERIES", "MEAN", "MAX", "LAST"], ...lines]);
}

/** `usage [--hours H] [--json]`: the host and each GPU. */
export function hostUsage(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const hours = hoursOf(args);
    const history = await api.json<UsageHistory>("GET", `/api/system/stats/history?hours=${hours}`);
    if (args.flags.has("json")) return { exitCode: 0, output: JSON.stringify(history, null, 2) };
    const rows: [string, HistorySeries, Format][] = [
      ["CPU", history.cpu_percent, percent],
      ["RAM", history.ram_percent, percent],
    ];
    for (const gpu of history.gpus) {
      rows.push(
        [`GPU ${gpu.id} utilization`, gpu.utilization_percent, percent],
        [`GPU ${gpu.id} VRAM`, gpu.vram_percent, percent],
        [`GPU ${gpu.id} temperature`, gpu.temperature_c, unit(" °C")],
        [`GPU ${gpu.id} power`, gpu.power_w, unit(" W")],
      );
    }
    return { exitCode: 0, output: `${coverage(history, history.cpu_percent)}\n${table(rows)}` };
  });
}

/** `instances usage NAME [--hours H] [--json]`: one instance's process tree while it ran. */
export function instanceUsage(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const hours = hoursOf(args);
    const target = await api.instance(args.positionals[0] as string);
    const history = await api.json<InstanceUsageHistory>(
      "GET",
      `/api/instances/${target.id}/stats/history?hours=${hours}`,
    );
    if (args.flags.has("json")) return { exitCode: 0, output: JSON.stringify(history, null, 2) };
    const output = table([
      ["CPU (100% = one core)", history.cpu_percent, percent],
      ["memory (RSS)", history.rss_bytes, bytes],
      ["VRAM", history.vram_bytes, bytes],
    ]);
    return { exitCode: 0, output: `${coverage(history, history.cpu_percent)}\n${output}` };
  });
}
