/**
 * The disk view's contract (`GET /api/system/disk`), shared by the server and the browser: where
 * the space of AiKore's data folder goes, folder by folder, so a filling disk can be traced to an
 * instance's environment, an output folder, a model or the trash.
 */

/** How many levels below the data folder are measured (e.g. `instances/<slug>/env`). */
export const DISK_DEPTH = 3;

/** One folder of the data folder and what it holds all the way down. */
export interface DiskFolder {
  /** Its name ("" for the data folder itself). */
  name: string;
  /**
   * Bytes allocated on the disk under it, all the way down. Links are not followed, another file
   * system mounted inside is left out, and a file with several hard links counts once.
   */
  bytes: number;
  /** What it is, where AiKore knows: `instance "ComfyUI"`, `deleted instance "old"`. */
  label: string | null;
  /** Its subfolders down to DISK_DEPTH, largest first. Files are counted in `bytes` only. */
  folders: DiskFolder[];
}

/** Where the measurements stand. */
export type DiskSurveyState = "none" | "measuring" | "done" | "failed";

/** The last measurement of the data folder (and whether a new one is running). */
export interface DiskUsageReport {
  /** Changes whenever the report would: a waiting read (`since`) answers once it differs. */
  version: string;
  /** "measuring" keeps the previous measurement's figures (if any) until the new one ends. */
  state: DiskSurveyState;
  /** When the figures below were measured (ISO 8601); null before the first measurement. */
  measured_at: string | null;
  /** How long that measurement took. */
  duration_ms: number | null;
  /** Why the last measurement failed, or what it could not read (its figures are then low). */
  problem: string | null;
  /** The data folder's file system when measured (like df: `free` is what AiKore may use). */
  disk: { total: number; used: number; free: number } | null;
  /** The data folder, down to DISK_DEPTH levels. */
  root: DiskFolder | null;
}

/**
 * The bytes of a folder's own files (outside its listed subfolders): a folder's total less
 * its subfolders', never below 0 (a file hard-linked from a subfolder counts where du met it
 * first).
 */
export function ownFilesBytes(folder: DiskFolder): number {
  const inFolders = folder.folders.reduce((sum, child) => sum + child.bytes, 0);
  return Math.max(0, folder.bytes - inFolders);
}
