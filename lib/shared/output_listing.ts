/**
 * The outputs browser's contract, shared by the server and the browser: what a listing of an
 * instance's output folder holds, and which paths may be asked for.
 */

/** One entry of an output folder. A link is shown as one and never followed. */
export interface OutputEntry {
  name: string;
  kind: "folder" | "file" | "link" | "other";
  /** Bytes (files only; 0 otherwise). */
  size: number;
  /** Last modification, ISO 8601 (null when the entry went while it was listed). */
  modified: string | null;
  /** How the browser may show a file: inline as an image or a video, or only download it. */
  preview: "image" | "video" | null;
}

/** `GET /api/instances/:id/outputs?path=…`: folders first, then newest first. */
export interface OutputListing {
  /** The listed folder, relative to the instance's output folder ("" for the folder itself). */
  path: string;
  entries: OutputEntry[];
  /** Entries in the folder (up to the examined cap). */
  total: number;
  /** More entries than listed: the newest are shown. */
  truncated: boolean;
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
export function outputPreview(name: string): { type: string; preview: "image" | "video" } | null {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return null;
  return PREVIEWS[name.slice(dot + 1).toLowerCase()] ?? null;
}

/** Longest path accepted, in characters (Linux's PATH_MAX is 4096 bytes). */
const MAX_PATH = 4000;

/**
 * Why `path` cannot name something inside an output folder, or null. Names are the apps' own
 * (spaces, accents, anything but "/" and NUL); "" is the folder itself.
 */
export function outputPathProblem(path: string): string | null {
  if (path === "") return null;
  if (path.length > MAX_PATH) return `must be at most ${MAX_PATH} characters`;
  if (path.includes("\0")) return "must not contain NUL";
  if (path.startsWith("/")) return "must be relative to the instance's output folder";
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
