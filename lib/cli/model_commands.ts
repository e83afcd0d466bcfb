import {
  type ModelDownloadList,
  type ModelDownloadView,
  modelsPlace,
} from "../shared/model_download.ts";
import { formatBytes } from "../shared/stats.ts";
import { ApiFailure } from "./api_client.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { withApi } from "./instance_commands.ts";
import { textColumns } from "./text_columns.ts";

const DOWNLOADS = "/api/system/models/downloads";
/** How long one waiting read of the downloads lasts on the server. */
const WAIT_SECONDS = 25;
/** The variable a download's token is read from (never a flag: argv shows in ps). */
export const MODEL_TOKEN_ENV = "AIKORE_MODEL_TOKEN";

/** "1.2 GB of 6.5 GB", or what a download says of itself when it is not going. */
function progress(download: ModelDownloadView): string {
  const of = download.total === null
    ? formatBytes(download.bytes, 1)
    : `${formatBytes(download.bytes, 1)} of ${formatBytes(download.total, 1)}`;
  if (download.status === "downloading" && download.rate !== null) {
    return `${of}, ${formatBytes(download.rate, 1)}/s`;
  }
  return download.message ? `${of}: ${download.message}` : of;
}

function line(download: ModelDownloadView): string {
  const where = modelsPlace(download.folder);
  return `${download.id} ${download.name ?? download.source} → ${where}: ${download.status}, ` +
    progress(download);
}

/** `models downloads [--json]`: the downloads, newest first. */
export function listDownloads(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const list = await api.json<ModelDownloadList>("GET", DOWNLOADS);
    if (args.flags.has("json")) {
      return { exitCode: 0, output: JSON.stringify(list.downloads, null, 2) };
    }
    if (list.downloads.length === 0) return { exitCode: 0, output: "No downloads." };
    const rows = list.downloads.map((d) => [
      String(d.id),
      d.status,
      progress(d),
      d.folder === "" ? "." : d.folder,
      d.name ?? d.source,
    ]);
    return {
      exitCode: 0,
      output: textColumns([["ID", "STATUS", "PROGRESS", "FOLDER", "NAME"], ...rows]),
    };
  });
}

/**
 * `models download URL [--folder F] [--name N] [--wait]`: adds a download (its token from
 * AIKORE_MODEL_TOKEN); with --wait, follows it until done (exit 0) or failed (exit 1).
 */
export function addDownload(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const body: Record<string, string> = {
      url: args.positionals[0] as string,
      folder: args.flags.get("folder") ?? "",
    };
    const name = args.flags.get("name");
    if (name !== undefined) body.name = name;
    const token = context.env[MODEL_TOKEN_ENV];
    if (token) body.token = token;
    let download = await api.json<ModelDownloadView>("POST", DOWNLOADS, body);
    if (!args.flags.has("wait")) return { exitCode: 0, output: line(download) };
    let version: string | null = null;
    let told = "";
    while (download.status !== "done" && download.status !== "failed") {
      if (download.status === "paused") {
        throw new ApiFailure(`${line(download)} (paused elsewhere)`);
      }
      const list: ModelDownloadList = await api.json<ModelDownloadList>(
        "GET",
        version === null
          ? DOWNLOADS
          : `${DOWNLOADS}?since=${encodeURIComponent(version)}&wait=${WAIT_SECONDS}`,
      );
      version = list.version;
      const now = list.downloads.find((d) => d.id === download.id);
      if (now === undefined) throw new ApiFailure(`download ${download.id} was removed`);
      download = now;
      const text = `${download.status}, ${progress(download)}`;
      const over = download.status === "done" || download.status === "failed";
      if (text !== told && !over) await context.note(`${text}\n`);
      told = text;
    }
    return { exitCode: download.status === "done" ? 0 : 1, output: line(download) };
  });
}
