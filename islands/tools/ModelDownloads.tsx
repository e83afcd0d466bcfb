import {
  downloadNameProblem,
  downloadUrlProblem,
  type ModelDownloadList,
  type ModelDownloadView,
  modelsPlace,
} from "../../lib/shared/model_download.ts";
import { formatBytes } from "../../lib/shared/stats.ts";
import { folderPathProblem } from "../../lib/shared/folder_listing.ts";
import { errorText } from "../core/api_client.ts";
import { type Dashboard, useDashboard } from "../core/dashboard_context.ts";
import { useWaitingRead } from "../core/use_waiting_read.ts";
import type { PromptField } from "../core/ui_state.ts";

const API = "/api/system/models/downloads";

const TOKEN_FIELD: PromptField = {
  name: "token",
  label: "Token (Hugging Face, CivitAI; optional)",
  value: "",
  placeholder: "sent as a bearer token, never stored",
  secret: true,
  monospace: true,
};

/** What a download's line says under its name. */
function progressText(download: ModelDownloadView): string {
  const got = formatBytes(download.bytes, 1);
  const of = download.total === null ? got : `${got} of ${formatBytes(download.total, 1)}`;
  switch (download.status) {
    case "downloading":
      return download.rate === null ? of : `${of} · ${formatBytes(download.rate, 1)}/s`;
    case "done":
      return `${formatBytes(download.bytes, 1)}, done${download.sha256 ? ", SHA-256 checked" : ""}`;
    case "queued":
      return `${of} · waiting for a free slot`;
    case "paused":
      return `${of} · paused${download.message ? `: ${download.message}` : ""}`;
    default:
      return `${of} · ${download.message ?? download.status}`;
  }
}

/** One of a download's link-style buttons (`data-action="download-ACTION"`). */
function ActionButton(props: { action: string; label: string; onClick: () => void }) {
  return (
    <button
      type="button"
      class="link-button"
      data-action={`download-${props.action}`}
      onClick={props.onClick}
    >
      {props.label}
    </button>
  );
}

function DownloadItem(props: {
  download: ModelDownloadView;
  act: (action: "pause" | "resume" | "remove", download: ModelDownloadView) => void;
}) {
  const { download, act } = props;
  const label = download.name ?? download.source;
  const where = modelsPlace(download.folder);
  const going = ["queued", "downloading", "retrying"].includes(download.status);
  return (
    <li class="download-item" data-download={download.id} data-status={download.status}>
      <div class="download-head">
        <span class="output-name" title={download.source}>{label}</span>
        <span class="muted">{where}</span>
      </div>
      <progress
        max={download.total ?? undefined}
        value={download.total === null && download.status !== "done" ? undefined : download.bytes}
        aria-label={`${label}: ${progressText(download)}`}
      />
      <div class="download-foot">
        <span
          class={download.status === "failed" ? "field-problem" : "muted"}
          data-download-progress
        >
          {progressText(download)}
        </span>
        <span>
          {going && (
            <ActionButton
              action="pause"
              label="Pause"
              onClick={() => act("pause", download)}
            />
          )}
          {(download.status === "paused" || download.status === "failed") && (
            <ActionButton
              action="resume"
              label="Resume"
              onClick={() => act("resume", download)}
            />
          )}{" "}
          <button
            type="button"
            class="link-button"
            data-action="download-remove"
            aria-label={download.status === "done"
              ? `Clear ${label} from the list`
              : `Cancel the download of ${label}`}
            onClick={() => act("remove", download)}
          >
            {download.status === "done" ? "Clear" : "Cancel"}
          </button>
        </span>
      </div>
    </li>
  );
}

/** Asks for a folder's name and makes it in `folder` (relative to the models folder). */
export async function askNewFolder(
  d: Dashboard,
  folder: string,
  made: () => void,
): Promise<void> {
  const where = modelsPlace(folder);
  const values = await d.ui.prompt({
    title: `New folder in ${where}`,
    fields: [{
      name: "name",
      label: "Name",
      value: "",
      placeholder: "loras",
      problem: (value) => folderPathProblem(value.trim()) ?? (value.trim() ? null : "required"),
    }],
    confirmLabel: "Make folder",
  });
  if (values === null) return;
  const name = (values.name ?? "").trim();
  try {
    await d.api.post("/api/system/models/folders", {
      path: folder === "" ? name : `${folder}/${name}`,
    });
    d.ui.toast("success", `Made ${where}/${name}.`);
    made();
  } catch (error) {
    d.ui.toast("error", errorText(error));
  }
}

/** Asks for a download into `folder` (relative to the models folder) and starts it. */
export async function askModelDownload(
  d: Dashboard,
  folder: string,
): Promise<void> {
  const where = modelsPlace(folder);
  const values = await d.ui.prompt({
    title: `Download into ${where}`,
    message: "The download goes on after a broken connection or a restart of AiKore.",
    fields: [
      {
        name: "url",
        label: "Address",
        value: "",
        placeholder: "https://huggingface.co/…/resolve/main/model.safetensors",
        problem: (value) => downloadUrlProblem(value.trim()),
        monospace: true,
      },
      {
        name: "name",
        label: "File name (optional)",
        value: "",
        placeholder: "the server's, or the address's last part",
        problem: (value) => (value.trim() === "" ? null : downloadNameProblem(value.trim())),
      },
      TOKEN_FIELD,
    ],
    confirmLabel: "Download",
  });
  if (values === null) return;
  const body: Record<string, string> = { url: (values.url ?? "").trim(), folder };
  if (values.name?.trim()) body.name = values.name.trim();
  if (values.token) body.token = values.token;
  try {
    await d.api.post(API, body);
    d.ui.toast("success", "Download added.");
  } catch (error) {
    d.ui.toast("error", errorText(error));
  }
}

/** The model downloads (Models view): progress kept current by waiting reads, no polling. */
export function ModelDownloads() {
  const dashboard = useDashboard();
  const { api, ui } = dashboard;
  const { value: list, failure } = useWaitingRead<ModelDownloadList>(api, API);
  const act = async (action: "pause" | "resume" | "remove", download: ModelDownloadView) => {
    try {
      if (action === "pause") await api.post(`${API}/${download.id}/pause`);
      if (action === "remove") await api.del(`${API}/${download.id}`);
      if (action === "resume") {
        let body: Record<string, string> = {};
        if (download.needs_token) {
          const values = await ui.prompt({
            title: `Resume ${download.name ?? download.source}`,
            message: "AiKore does not keep tokens: give this download's token again.",
            fields: [{ ...TOKEN_FIELD, label: "Token" }],
            confirmLabel: "Resume",
          });
          if (values === null) return;
          body = { token: values.token ?? "" };
        }
        await api.post(`${API}/${download.id}/resume`, body);
      }
    } catch (error) {
      ui.toast("error", errorText(error));
    }
  };
  if (failure) return <p class="form-error" role="alert">{failure}</p>;
  if (!list || list.downloads.length === 0) return null;
  return (
    <section class="downloads" aria-label="Downloads" data-downloads>
      <ul class="downloads-list">
        {list.downloads.map((download) => (
          <DownloadItem
            key={download.id}
            download={download}
            act={(action, item) => void act(action, item)}
          />
        ))}
      </ul>
    </section>
  );
}
