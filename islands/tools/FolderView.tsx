import { useState } from "preact/hooks";
import type { FolderEntry, FolderListing } from "../../lib/shared/folder_listing.ts";
import { formatBytes } from "../../lib/shared/stats.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { useWaitingRead } from "../core/use_waiting_read.ts";
import { previewOf } from "../core/model_preview.ts";
import { askModelDownload, askNewFolder, ModelDownloads } from "./ModelDownloads.tsx";

/** Where a browsed folder's API is: `${api}?path=` lists, `${api}/file?path=` sends a file. */
export interface BrowsedApi {
  api: string;
  /** The folder's name in the breadcrumb ("outputs/trainer", "models"). */
  root: string;
  /** Offers a Delete on each entry (the shared models; outputs are never deleted). */
  deletable?: boolean;
  /** Offers downloads into the browsed folder, and shows them (the shared models). */
  downloads?: boolean;
}

/** The URL of one file (inline for images and videos). */
function fileUrl(api: string, path: string, download = false): string {
  return `${api}/file?path=${encodeURIComponent(path)}` + (download ? "&download=1" : "");
}

/**
 * A thumbnail's URL (a small JPEG the server makes; the image itself where it cannot): a file
 * rewritten (another size or time) gets a new one, so it reloads.
 */
function thumbnailUrl(api: string, path: string, entry: FolderEntry): string {
  const version = `${entry.size}-${encodeURIComponent(entry.modified ?? "")}`;
  return `${api}/thumbnail?path=${encodeURIComponent(path)}&v=${version}`;
}

const join = (folder: string, name: string) => (folder === "" ? name : `${folder}/${name}`);

/** Outline icons (24×24, currentColor): no emoji font needed, nothing inline for the CSP. */
const ICONS = {
  folder: "M3 6a1 1 0 0 1 1-1h5l2 2h9a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z",
  file: "M6 3h8l4 4v14H6zM14 3v4h4M9 12h6M9 16h6",
  video: "M4 6h11v12H4zM15 10l5-3v10l-5-3",
  link: "M10 14a4 4 0 0 0 6 0l3-3a4 4 0 0 0-6-6l-1 1M14 10a4 4 0 0 0-6 0l-3 3a4 4 0 0 0 6 6l1-1",
  other: "M5 5l14 14M19 5L5 19",
};

function Icon(props: { kind: keyof typeof ICONS }) {
  return (
    <svg class="output-icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d={ICONS[props.kind]} />
    </svg>
  );
}

/** The folder's place: the output folder, then each folder down to this one. */
function Breadcrumb(props: { root: string; path: string; go: (path: string) => void }) {
  const parts = props.path === "" ? [] : props.path.split("/");
  const crumbs = [{ label: props.root, path: "" }].concat(
    parts.map((part, index) => ({ label: part, path: parts.slice(0, index + 1).join("/") })),
  );
  return (
    <nav class="outputs-crumbs" aria-label="Folder">
      {crumbs.map((crumb, index) =>
        index === crumbs.length - 1
          ? <span key={crumb.path} aria-current="location">{crumb.label}</span>
          : (
            <span key={crumb.path}>
              <button
                type="button"
                class="link-button"
                data-outputs-crumb={crumb.path}
                onClick={() => props.go(crumb.path)}
              >
                {crumb.label}
              </button>
              {" / "}
            </span>
          )
      )}
    </nav>
  );
}

interface EntryProps {
  api: BrowsedApi;
  folder: string;
  entry: FolderEntry;
  /** The picture saved beside a model file, shown as its thumbnail (null: none). */
  preview: FolderEntry | null;
  go: () => void;
  remove: () => void;
}

function DeleteButton(props: { name: string; remove: () => void }) {
  return (
    <button
      type="button"
      class="link-button output-delete"
      data-action="delete-entry"
      aria-label={`Delete ${props.name}`}
      onClick={props.remove}
    >
      Delete
    </button>
  );
}

function EntryItem(props: EntryProps) {
  const { entry, api } = props;
  const path = join(props.folder, entry.name);
  const when = entry.modified ? new Date(entry.modified).toLocaleString() : "";
  const remove = api.deletable ? <DeleteButton name={entry.name} remove={props.remove} /> : null;
  if (entry.kind === "folder") {
    const size = `${entry.size_complete ? "" : "at least "}${formatBytes(entry.size, 1)}`;
    return (
      <li class="output-item output-folder" data-output={entry.name}>
        <button type="button" class="output-open" onClick={props.go} title={`Open ${entry.name}`}>
          <Icon kind="folder" />
          <span class="output-name">{entry.name}</span>
        </button>
        <span class="output-meta">{size} · {when} {remove}</span>
      </li>
    );
  }
  if (entry.kind !== "file") {
    const why = entry.kind === "link"
      ? "a symbolic link: AiKore does not follow links here"
      : "not a regular file";
    return (
      <li class="output-item output-other" data-output={entry.name}>
        <Icon kind={entry.kind === "link" ? "link" : "other"} />
        <span class="output-name">{entry.name}</span>
        <span class="output-meta muted">{why} {remove}</span>
      </li>
    );
  }
  return (
    <li class="output-item" data-output={entry.name}>
      <a
        class="output-open"
        href={fileUrl(api.api, path)}
        target="_blank"
        rel="noopener"
        title={`Open ${entry.name} in a new tab`}
      >
        {entry.preview === "image"
          ? (
            <img
              class="output-thumb"
              src={thumbnailUrl(api.api, path, entry)}
              alt={entry.name}
              loading="lazy"
            />
          )
          : props.preview
          ? (
            <img
              class="output-thumb"
              src={thumbnailUrl(api.api, join(props.folder, props.preview.name), props.preview)}
              alt={`Preview of ${entry.name}`}
              loading="lazy"
            />
          )
          : <Icon kind={entry.preview === "video" ? "video" : "file"} />}
        <span class="output-name">{entry.name}</span>
      </a>
      <span class="output-meta">
        {formatBytes(entry.size, 1)} · {when}{" "}
        <a href={fileUrl(api.api, path, true)} download title={`Download ${entry.name}`}>
          Download
        </a>{" "}
        {remove}
      </span>
    </li>
  );
}

/**
 * A browsed folder (an instance's outputs, the shared models): folders first with their sizes,
 * then the newest files, images as thumbnails. Only the shared models offer Delete.
 */
export function FolderView(props: BrowsedApi) {
  const dashboard = useDashboard();
  const { api, ui } = dashboard;
  const [path, setPath] = useState("");
  const [loads, setLoads] = useState(0);
  // Listed, then kept current: new outputs show up as they are written, without polling.
  const { value: listing, failure } = useWaitingRead<FolderListing>(
    api,
    `${props.api}?path=${encodeURIComponent(path)}`,
    loads,
  );
  const remove = async (entry: FolderEntry) => {
    const target = join(path, entry.name);
    const ok = await ui.confirm({
      title: `Delete ${entry.name}?`,
      message: entry.kind === "link"
        ? `The link "${target}" is deleted; what it points to is kept.`
        : entry.kind === "folder"
        ? `The empty folder "${target}" is deleted.`
        : `"${target}" (${
          formatBytes(entry.size, 1)
        }) is deleted for good: it does not go to the trash.`,
      confirmLabel: "Delete",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`${props.api}?path=${encodeURIComponent(target)}`);
      ui.toast("success", `Deleted ${entry.name}.`);
      setLoads((n) => n + 1);
    } catch (error) {
      ui.toast("error", errorText(error));
    }
  };
  const shown = listing?.path === path ? listing : null;
  const byName = new Map(shown?.entries.map((entry) => [entry.name, entry]) ?? []);
  return (
    <div class="outputs-view" data-outputs-view>
      <div class="outputs-bar">
        <Breadcrumb root={props.root} path={path} go={setPath} />
        <span class="outputs-bar-actions">
          {props.downloads && (
            <>
              <button
                type="button"
                class="btn btn-sm"
                data-action="new-folder"
                onClick={() => void askNewFolder(dashboard, path, () => setLoads((n) => n + 1))}
              >
                New folder…
              </button>
              <button
                type="button"
                class="btn btn-sm"
                data-action="model-download"
                onClick={() => void askModelDownload(dashboard, path)}
              >
                Download a model…
              </button>
            </>
          )}
          <button
            type="button"
            class="btn btn-sm"
            data-action="outputs-refresh"
            onClick={() => setLoads((n) => n + 1)}
          >
            Refresh
          </button>
        </span>
      </div>
      {props.downloads && <ModelDownloads />}
      {failure && <p class="form-error" role="alert">{failure}</p>}
      {!failure && !shown && <p class="tools-note">Loading…</p>}
      {!failure && shown && shown.entries.length === 0 && (
        <p class="tools-note" data-outputs-empty>
          {path === "" ? "Nothing here yet." : "Empty folder."}
        </p>
      )}
      {!failure && shown && shown.truncated && (
        <p class="tools-note" data-outputs-truncated>
          {`${shown.total} or more items: the newest ${shown.entries.length} are shown.`}
        </p>
      )}
      {!failure && shown && shown.entries.length > 0 && (
        <ul class="outputs-grid" data-outputs aria-label={`Contents of ${join(props.root, path)}`}>
          {shown.entries.map((entry) => (
            <EntryItem
              key={entry.name}
              api={props}
              folder={path}
              entry={entry}
              preview={previewOf(entry, byName)}
              go={() => setPath(join(path, entry.name))}
              remove={() =>
                void remove(entry)}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
