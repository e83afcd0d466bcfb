/**
 * An instance's output folder, read-only: listings for the outputs browser and the files in
 * it. Everything is read confined beneath the outputs root: a link (at the output folder
 * itself or anywhere inside) is listed as a link and never followed, and only regular files
 * are opened (non-blocking: a planted pipe is refused at once). Outputs are never changed here.
 */
import type { InstanceRecord } from "../db/mod.ts";
import { listBeneath, openBeneathSync } from "../fs/mod.ts";
import { type OutputEntry, type OutputListing, outputPreview } from "../shared/output_listing.ts";
import { DomainError } from "../shared/domain_error.ts";
import type { InstancePaths } from "./instance_paths.ts";

/** Entries examined per listing: enough for a busy ComfyUI folder, bounded for a huge one. */
const EXAMINED = 20_000;
/** Entries returned per listing (the newest). */
const LISTED = 1_000;

/** A file of an output folder, opened for reading. */
export interface OpenedOutput {
  file: Deno.FsFile;
  size: number;
  /** Inline type and preview kind; null: to be downloaded only. */
  inline: { type: string; preview: "image" | "video" } | null;
  name: string;
}

export class OutputFiles {
  constructor(
    private readonly paths: InstancePaths,
    private readonly limits = { examined: EXAMINED, listed: LISTED },
  ) {}

  /** The folder `path` of the instance's outputs ("" for the output folder itself). */
  async list(record: InstanceRecord, path: string): Promise<OutputListing> {
    const listed = await listBeneath(
      this.paths.outputsRoot,
      this.#beneath(record, path),
      this.limits.examined,
    );
    if (listed === null) {
      // Made at the first start: before it, an empty folder, not an error.
      if (path === "") return { path, entries: [], total: 0, truncated: false };
      throw new DomainError("not_found", `No folder "${path}" in the outputs of ${record.name}`);
    }
    const entries: OutputEntry[] = listed.entries.map((entry) => ({
      name: entry.name,
      kind: entry.kind,
      size: entry.size,
      modified: entry.modified === null ? null : new Date(entry.modified).toISOString(),
      preview: entry.kind === "file" ? outputPreview(entry.name)?.preview ?? null : null,
    }));
    entries.sort(newestFirst);
    return {
      path,
      entries: entries.slice(0, this.limits.listed),
      total: entries.length,
      truncated: listed.truncated || entries.length > this.limits.listed,
    };
  }

  /** Opens the regular file `path` of the instance's outputs; 404 when it does not exist. */
  open(record: InstanceRecord, path: string): OpenedOutput {
    let file: Deno.FsFile;
    try {
      file = openBeneathSync(this.paths.outputsRoot, this.#beneath(record, path), "read");
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new DomainError("not_found", `No file "${path}" in the outputs of ${record.name}`);
      }
      throw error;
    }
    const name = path.slice(path.lastIndexOf("/") + 1);
    return { file, size: file.statSync().size, inline: outputPreview(name), name };
  }

  #beneath(record: InstanceRecord, path: string): string {
    return path === "" ? record.outputPath : `${record.outputPath}/${path}`;
  }
}

/** Folders first, then the newest; ties by name. */
function newestFirst(a: OutputEntry, b: OutputEntry): number {
  const folders = Number(b.kind === "folder") - Number(a.kind === "folder");
  if (folders !== 0) return folders;
  const time = (b.modified ?? "").localeCompare(a.modified ?? "");
  return time !== 0 ? time : a.name.localeCompare(b.name);
}
