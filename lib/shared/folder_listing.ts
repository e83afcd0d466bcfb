/**
 * The folder browsers' contract (an instance's outputs, the shared models), shared by the server
 * and the browser: what a listing holds, and which paths may be asked for.
 */

/** One entry of a browsed folder. A link is shown as one and never followed. */
export interface FolderEntry {
  name: string;
  kind: "folder" | "file" | "link" | "other";
  /** Bytes: a file's size, everything under a folder; 0 for anything else. */
  size: number;
  /** False when a folder holds more than was counted: its size is "at least". */
  size_complete: boolean;
  /** Last modification, ISO 8601 (null when the entry went while it was listed). */
  modified: string | null;
  /** How the browser may show a file: inline as an image or a video, or only download it. */
  preview: "image" | "video" | null;
}

/** A listed folder (`GET …/outputs?path=…`, `GET /api/system/models?path=…`): folders first, then newest first. */
export interface FolderListing {
  /** The listed folder, relative to the browsed folder ("" for the folder itself). */
  path: string;
  entries: FolderEntry[];
  /** Entries in the folder (up to the examined cap). */
  total: number;
  /** More entries than listed: the newest are shown. */
  truncated: boolean;
  /** Changes whenever the listing would: a waiting read (`since`) answers once it differs. */
  version: string;
}

/** Raster images and videos a browser shows inline (served with nosniff and a sandbox CSP). */
const PREVIEWS: Record<string, { type: string; preview: "image" | "video" }> = {
  png: { type: "image/png", preview: "image" },
  jpg: { type: "image/jpeg", preview: "image" },
  jpeg: { type: "image/jpeg", preview: "image" },
  gif: { type: "image/gif", preview: "image" },
  webp: { type: "image/webp", preview: "image" },
  avif: { type: "image/avif", preview: "image" },
  bmp: { type: "image/bmp", preview: "image" },
  mp4: { type: "video/mp4", preview: "video" },
  webm: { type: "video/webm", preview: "video" },
};

/** A file's inline type and preview kind by its extension; null: download only. */
export function filePreview(name: string): { type: string; preview: "image" | "video" } | null {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  return PREVIEWS[name.slice(dot + 1).toLowerCase()] ?? null;
}

/** Longest path accepted, in characters (Linux's PATH_MAX is 4096 bytes). */
const MAX_PATH = 4000;

/**
 * Why `path` cannot name something inside a browsed folder, or null. Names are the apps' own
 * (spaces, accents, anything but "/" and NUL); "" is the folder itself.
 */
export function folderPathProblem(path: string): string | null {
  if (path === "") return null;
  if (path.length > MAX_PATH) return `must be at most ${MAX_PATH} characters`;
  if (path.includes("\0")) return "must not contain NUL";
  if (path.startsWith("/")) return "must be relative to the browsed folder";
  for (const segment of path.split("/")) {
    if (segment === "" || segment === "." || segment === "..") {
      return "must not contain empty, '.' or '..' segments";
    }
    if (new TextEncoder().encode(segment).length > 255) {
      return "must not have a name longer than 255 bytes";
    }
  }
  return null;
}
