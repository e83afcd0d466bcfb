import { join } from "node:path";
import { PathRefused, readBeneath, removeBeneath } from "../fs/mod.ts";
import { blueprintFileProblem } from "../shared/identifiers.ts";
import {
  BlueprintError,
  BlueprintExistsError,
  BlueprintNotFoundError,
} from "./blueprint_errors.ts";
import type { BlueprintMetadata } from "./blueprint_metadata.ts";
import { parseBlueprintMetadata } from "./parse_blueprint_metadata.ts";

/** Largest blueprint AiKore reads or saves. */
export const MAX_BLUEPRINT_BYTES = 1_000_000;

/** One blueprint file; `metadata` is null and `error` set when its block is malformed. */
export interface BlueprintEntry {
  file: string;
  source: "stock" | "custom";
  path: string;
  metadata: BlueprintMetadata | null;
  error: string | null;
}

/** Throws BlueprintError when `file` is not a plain blueprint file name (no path escapes). */
export function assertBlueprintFile(file: string): void {
  const problem = blueprintFileProblem(file);
  if (problem) throw new BlueprintError(`invalid blueprint file name "${file}": ${problem}`);
}

/** Custom blueprints live in a user-writable folder: read them confined, never through a link. */
async function readText(path: string, confineTo: string | null): Promise<string> {
  const bytes = confineTo === null ? await Deno.readFile(path) : await readBeneath(confineTo, path);
  if (bytes === null) throw new Deno.errors.NotFound(`No such file: ${path}`);
  if (bytes.length > MAX_BLUEPRINT_BYTES) {
    throw new BlueprintError(`${path} is larger than ${MAX_BLUEPRINT_BYTES} bytes`);
  }
  return new TextDecoder().decode(bytes);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function entryFor(
  dir: string,
  file: string,
  source: BlueprintEntry["source"],
): Promise<BlueprintEntry> {
  const path = join(dir, file);
  const problem = blueprintFileProblem(file);
  if (problem) {
    return { file, source, path, metadata: null, error: `invalid file name: ${problem}` };
  }
  try {
    return {
      file,
      source,
      path,
      metadata: parseBlueprintMetadata(
        await readText(path, source === "custom" ? dir : null),
        file,
      ),
      error: null,
    };
  } catch (error) {
    if (!(error instanceof BlueprintError || error instanceof PathRefused)) throw error;
    return { file, source, path, metadata: null, error: error.message };
  }
}

/** The helper library shipped beside the stock blueprints: sourced by them, not one of them. */
export const HELPER_LIBRARY = "functions.sh";

async function shFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const item of Deno.readDir(dir)) {
      if (item.name === HELPER_LIBRARY || !item.name.endsWith(".sh")) continue;
      if (await isFile(join(dir, item.name))) files.push(item.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return files;
}

/**
 * Stock blueprints (shipped, read-only) and custom ones (saved by users in the data dir).
 * `find` prefers a custom blueprint over a stock one of the same file name.
 */
export class BlueprintCatalog {
  readonly #stockDir: string;
  readonly #customDir: string;

  constructor(opts: { stockDir: string; customDir: string }) {
    this.#stockDir = opts.stockDir;
    this.#customDir = opts.customDir;
  }

  /** Every `*.sh` in both folders, sorted by file name (stock before custom on a tie). */
  async list(): Promise<BlueprintEntry[]> {
    const entries: BlueprintEntry[] = [];
    for (const [dir, source] of [[this.#stockDir, "stock"], [this.#customDir, "custom"]] as const) {
      for (const file of await shFiles(dir)) entries.push(await entryFor(dir, file, source));
    }
    return entries.sort((a, b) =>
      a.file.toLowerCase().localeCompare(b.file.toLowerCase()) || a.file.localeCompare(b.file) ||
      (a.source === b.source ? 0 : a.source === "stock" ? -1 : 1)
    );
  }

  /** The blueprint a file name refers to (custom first), or null. Bad names throw BlueprintError. */
  async find(file: string): Promise<BlueprintEntry | null> {
    assertBlueprintFile(file);
    if (file === HELPER_LIBRARY) return null;
    for (const [dir, source] of [[this.#customDir, "custom"], [this.#stockDir, "stock"]] as const) {
      if (await isFile(join(dir, file))) return await entryFor(dir, file, source);
    }
    return null;
  }

  /** The text of the blueprint `find` picks; BlueprintNotFoundError when there is none. */
  async read(file: string): Promise<string> {
    const entry = await this.find(file);
    if (!entry) throw new BlueprintNotFoundError(file);
    return await readText(entry.path, entry.source === "custom" ? this.#customDir : null);
  }

  /** The text of a custom blueprint, read confined; BlueprintNotFoundError when there is none. */
  async readCustom(file: string): Promise<string> {
    assertBlueprintFile(file);
    try {
      return await readText(join(this.#customDir, file), this.#customDir);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new BlueprintNotFoundError(file);
      throw error;
    }
  }

  /**
   * Deletes a custom blueprint (a stock one is never touched; a link planted in its place is
   * removed, not followed). BlueprintNotFoundError when there is none.
   */
  async deleteCustom(file: string): Promise<void> {
    assertBlueprintFile(file);
    try {
      await removeBeneath(this.#customDir, join(this.#customDir, file));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new BlueprintNotFoundError(file);
      throw error;
    }
  }

  /**
   * Saves a custom blueprint atomically after checking its name and metadata block.
   * BlueprintExistsError when it exists and `overwrite` is not set.
   */
  async saveCustom(
    file: string,
    content: string,
    options: { overwrite?: boolean } = {},
  ): Promise<BlueprintEntry> {
    assertBlueprintFile(file);
    if (content.includes("\0")) throw new BlueprintError(`${file}: contains a NUL byte`);
    const bytes = new TextEncoder().encode(content);
    if (bytes.length > MAX_BLUEPRINT_BYTES) {
      throw new BlueprintError(`${file}: larger than ${MAX_BLUEPRINT_BYTES} bytes`);
    }
    const metadata = parseBlueprintMetadata(content, file);
    await Deno.mkdir(this.#customDir, { recursive: true });
    const target = join(this.#customDir, file);
    const temp = join(this.#customDir, `.${file}.${crypto.randomUUID()}.tmp`);
    await Deno.writeFile(temp, bytes, { mode: 0o644, createNew: true });
    try {
      if (options.overwrite) {
        await Deno.rename(temp, target);
      } else {
        // A hard link fails when the target exists: a create-only rename without a race.
        await Deno.link(temp, target).catch((error) => {
          throw error instanceof Deno.errors.AlreadyExists ? new BlueprintExistsError(file) : error;
        });
      }
    } finally {
      await Deno.remove(temp).catch(() => {});
    }
    return { file, source: "custom", path: target, metadata, error: null };
  }
}
