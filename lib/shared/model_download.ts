/**
 * Model downloads into the shared models folder, the contract shared by the server and the
 * browser: what a download shows, and which names and addresses are accepted.
 */
import { folderPathProblem } from "./folder_listing.ts";
import { httpAddressProblem } from "./http_address.ts";

/**
 * Where a download is:
 * - `queued`: waits for a free slot (a few run at once);
 * - `downloading`: bytes are coming;
 * - `retrying`: the connection broke or the server was busy; it goes on from where it stopped;
 * - `paused`: by the user, or after a restart of AiKore when its token was not kept;
 * - `failed`: the server refused, the file exists, the disk is full …: `message` says why;
 *   Resume tries again from where it stopped;
 * - `done`: the file is in place under its name.
 */
export const MODEL_DOWNLOAD_STATUSES = [
  "queued",
  "downloading",
  "retrying",
  "paused",
  "failed",
  "done",
] as const;
export type ModelDownloadStatus = typeof MODEL_DOWNLOAD_STATUSES[number];

/** One download, as `GET /api/system/models/downloads` shows it. */
export interface ModelDownloadView {
  id: number;
  /** The address without its query (a query may hold a token). */
  source: string;
  /** The folder it goes to, relative to the models folder ("" for the folder itself). */
  folder: string;
  /** The file's name; null until the server's answer gave one. */
  name: string | null;
  status: ModelDownloadStatus;
  /** Bytes written so far (kept across retries, pauses and restarts). */
  bytes: number;
  /** The file's size, when the server said it. */
  total: number | null;
  /** Bytes per second over the last seconds, while downloading. */
  rate: number | null;
  message: string | null;
  /** Paused after a restart because the token it was given is not kept: Resume asks for it. */
  needs_token: boolean;
  /**
   * The file's SHA-256 as the server announced it (hex), or null. A download that had one is
   * done only once the file matched it.
   */
  sha256: string | null;
  created_at: string;
  finished_at: string | null;
}

/** The downloads, newest first, with a version that changes whenever they do. */
export interface ModelDownloadList {
  downloads: ModelDownloadView[];
  version: string;
}

export const MODEL_DOWNLOAD_LIMITS = {
  maxUrlLength: 4096,
  maxTokenLength: 4096,
} as const;

/** Why `url` cannot be downloaded, or null: http(s) only, no user name or password in it. */
export function downloadUrlProblem(url: string): string | null {
  return httpAddressProblem(url, MODEL_DOWNLOAD_LIMITS.maxUrlLength, " (give a token instead)");
}

/** Why `name` cannot be a downloaded file's name, or null (one name: no folder, not hidden). */
export function downloadNameProblem(name: string): string | null {
  if (name === "") return "must not be empty";
  if (name.includes("/")) return "must be a file name, without '/'";
  if (name.startsWith(".")) return "must not start with '.'";
  if ([...name].some((c) => c < " " || c === "\x7f")) return "must not contain control characters";
  return folderPathProblem(name);
}

/**
 * The address to fetch for what the user pasted: a Hugging Face file page
 * (`…/REPO/blob/REF/FILE`) becomes its download link (`…/REPO/resolve/REF/FILE`).
 */
export function downloadAddress(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname !== "huggingface.co") return url;
  const page = /^(\/(?:(?:datasets|spaces)\/)?[^/]+\/[^/]+)\/blob\//.exec(parsed.pathname);
  if (!page) return url;
  parsed.pathname = `${page[1]}/resolve/${parsed.pathname.slice(page[0].length)}`;
  return parsed.toString();
}

/** How a folder of the shared models is named to people: "models", "models/loras". */
export function modelsPlace(folder: string): string {
  return folder === "" ? "models" : `models/${folder}`;
}

/** What a download shows of its address: no query, no fragment. */
export function downloadSource(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
