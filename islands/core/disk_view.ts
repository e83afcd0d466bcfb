/** The disk view's rows: a measured folder tree laid out as the lines the view shows. */
import { type DiskFolder, ownFilesBytes } from "../../lib/shared/disk_usage.ts";

/** One line of the disk view. */
export interface DiskRow {
  /** Its path from the data folder ("instances/comfy"); a files line ends in "/" (no folder). */
  path: string;
  name: string;
  label: string | null;
  bytes: number;
  /** 0-1 of the data folder. */
  share: number;
  /** 0 for the data folder's own folders. */
  depth: number;
  /** Whether it has subfolders to show, and whether they are shown. */
  expandable: boolean;
  expanded: boolean;
  /** The files directly in a folder (outside its subfolders), not a folder. */
  files: boolean;
}

/** Below this share of the data folder, a folder's own files get no line of their own. */
const FILES_LINE_SHARE = 0.001;

/**
 * The lines of `root`'s folders, largest first, each expanded one followed by its own (and a
 * line for its files directly in it, when they weigh anything). The data folder's own files
 * (the database, …) come last at the top level.
 */
export function diskRows(root: DiskFolder, expanded: ReadonlySet<string>): DiskRow[] {
  const rows: DiskRow[] = [];
  const share = (bytes: number) => root.bytes > 0 ? bytes / root.bytes : 0;
  const filesLine = (folder: DiskFolder, path: string, depth: number) => {
    const bytes = ownFilesBytes(folder);
    if (folder.folders.length === 0 || share(bytes) < FILES_LINE_SHARE) return;
    const name = depth === 0 ? "files of the data folder" : "files directly in it";
    rows.push({
      path: `${path}/`,
      name,
      label: depth === 0 ? "the database, settings" : null,
      bytes,
      share: share(bytes),
      depth,
      expandable: false,
      expanded: false,
      files: true,
    });
  };
  const walk = (folder: DiskFolder, path: string, depth: number) => {
    for (const child of folder.folders) {
      const childPath = path === "" ? child.name : `${path}/${child.name}`;
      const open = expanded.has(childPath);
      rows.push({
        path: childPath,
        name: child.name,
        label: child.label,
        bytes: child.bytes,
        share: share(child.bytes),
        depth,
        expandable: child.folders.length > 0,
        expanded: open && child.folders.length > 0,
        files: false,
      });
      if (open) walk(child, childPath, depth + 1);
    }
    filesLine(folder, path, depth);
  };
  walk(root, "", 0);
  return rows;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago": how old a measurement is. */
export function measuredAgo(measuredAt: string, now: number): string {
  const minutes = Math.floor((now - Date.parse(measuredAt)) / 60_000);
  if (!(minutes >= 1)) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** "40 ms", "2.3 s", "3 min 10 s": how long a measurement took. */
export function tookText(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
