/**
 * `disk`: where the data folder's space goes, measured now by the running AiKore and printed as an
 * indented table (each folder AiKore knows named by its instance or trash entry).
 */
import { DISK_DEPTH, type DiskFolder, type DiskUsageReport } from "../shared/disk_usage.ts";
import { formatBytes } from "../shared/stats.ts";
import { ApiFailure } from "./api_client.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { withApi } from "./instance_commands.ts";
import { textColumns } from "./text_columns.ts";

/** The `--depth` asked (default 2); a usage error for another. */
function depthOf(args: ParsedArgs): number {
  const text = args.flags.get("depth") ?? "2";
  const depth = Number(text);
  if (!/^\d$/.test(text) || depth < 1 || depth > DISK_DEPTH) {
    throw new ApiFailure(`--depth must be 1 to ${DISK_DEPTH}, not "${text}"`, true);
  }
  return depth;
}

/** The table's rows: each folder down to `depth`, indented under its parent, largest first. */
function rows(root: DiskFolder, depth: number): string[][] {
  const lines: string[][] = [];
  const share = (bytes: number) =>
    root.bytes > 0 ? `${((bytes / root.bytes) * 100).toFixed(1)}%` : "-";
  const walk = (folder: DiskFolder, level: number) => {
    for (const child of folder.folders) {
      const name = `${"  ".repeat(level)}${child.name.replace(/\p{Cc}/gu, "?")}`;
      lines.push([name, formatBytes(child.bytes, 1), share(child.bytes), child.label ?? ""]);
      if (level + 1 < depth) walk(child, level + 1);
    }
  };
  walk(root, 0);
  return lines;
}

/** `disk [--depth N] [--json]`: measures the data folder now and prints where its space goes. */
export function diskUsage(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const depth = depthOf(args);
    let report = await api.json<DiskUsageReport>("POST", "/api/system/disk/measure");
    while (report.state === "measuring") {
      report = await api.json<DiskUsageReport>(
        "GET",
        `/api/system/disk?since=${report.version}&wait=30`,
      );
    }
    if (report.state !== "done" || report.root === null || report.disk === null) {
      throw new ApiFailure(`the measurement failed: ${report.problem ?? report.state}`);
    }
    if (args.flags.has("json")) return { exitCode: 0, output: JSON.stringify(report, null, 2) };
    const { disk, root } = report;
    const other = disk.used > root.bytes
      ? `; other things on this disk ${formatBytes(disk.used - root.bytes, 1)}`
      : "";
    const summary =
      `data disk: ${formatBytes(disk.used, 1)} used of ${formatBytes(disk.total, 1)}, ` +
      `${formatBytes(disk.free, 1)} free; the data folder holds ${
        formatBytes(root.bytes, 1)
      }${other}`;
    const table = textColumns([["FOLDER", "SIZE", "SHARE", "WHAT IT IS"], ...rows(root, depth)]);
    const problem = report.problem === null ? "" : `\nnote: ${report.problem}`;
    return { exitCode: 0, output: `${summary}\n${table}${problem}` };
  });
}
