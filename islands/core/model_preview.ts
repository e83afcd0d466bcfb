/**
 * A model's preview image: the picture that download helpers (CivitAI's, A1111's) save beside a
 * model file, `NAME.preview.png` or `NAME.png` (also .jpg, .jpeg, .webp). A folder view shows it
 * as the model's thumbnail.
 */
import type { FolderEntry } from "../../lib/shared/folder_listing.ts";

const IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "webp"];

/** The preview image of `entry` among `byName` (the same folder's files), or null. */
export function previewOf(
  entry: FolderEntry,
  byName: ReadonlyMap<string, FolderEntry>,
): FolderEntry | null {
  if (entry.kind !== "file" || entry.preview !== null) return null;
  const dot = entry.name.lastIndexOf(".");
  if (dot <= 0) return null;
  const stem = entry.name.slice(0, dot);
  for (const suffix of [".preview", ""]) {
    for (const extension of IMAGE_EXTENSIONS) {
      const found = byName.get(`${stem}${suffix}.${extension}`);
      if (found?.kind === "file" && found.preview === "image") return found;
    }
  }
  return null;
}
