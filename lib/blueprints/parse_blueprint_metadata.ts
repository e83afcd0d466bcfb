import { BlueprintError } from "./blueprint_errors.ts";
import {
  applyMetadataValue,
  type BlueprintMetadata,
  defaultBlueprintMetadata,
} from "./blueprint_metadata.ts";

const START_RE = /^###\s*AIKORE-METADATA-START\s*###$/;
const END_RE = /^###\s*AIKORE-METADATA-END\s*###$/;
const ENTRY_RE = /^#\s*aikore\.([^\s=]*)\s*=(.*)$/;
const KEY_RE = /^[a-z][a-z0-9_]{0,63}$/;

function fail(fileName: string, line: number, reason: string): never {
  throw new BlueprintError(`${fileName}, line ${line}: ${reason}`, line);
}

/** Finds the block: [index of START, index of END] (0-based), or null when there is none. */
function locateBlock(lines: readonly string[], fileName: string): [number, number] | null {
  let start = -1;
  let end = -1;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (START_RE.test(line)) {
      if (start >= 0) {
        fail(
          fileName,
          index + 1,
          `second metadata START marker (the first is on line ${start + 1})`,
        );
      }
      start = index;
    } else if (END_RE.test(line)) {
      if (start < 0) {
        fail(fileName, index + 1, "metadata END marker without a START marker before it");
      }
      if (end >= 0) {
        fail(fileName, index + 1, `second metadata END marker (the first is on line ${end + 1})`);
      }
      end = index;
    }
  });
  if (start < 0) return null;
  if (end < 0) {
    fail(
      fileName,
      start + 1,
      "metadata block is never closed (### AIKORE-METADATA-END ### missing)",
    );
  }
  return [start, end];
}

/**
 * Parses the `### AIKORE-METADATA-START ###` … `### AIKORE-METADATA-END ###` block of a
 * blueprint. A file without a block gets the defaults (name from the file name). Throws
 * BlueprintError naming the line for a malformed block.
 */
export function parseBlueprintMetadata(text: string, fileName: string): BlueprintMetadata {
  const lines = text.split(/\r?\n/);
  const meta = defaultBlueprintMetadata(fileName);
  const block = locateBlock(lines, fileName);
  if (!block) return meta;
  const seen = new Map<string, number>();
  for (let index = block[0] + 1; index < block[1]; index++) {
    const line = (lines[index] ?? "").trim();
    const number = index + 1;
    if (line === "" || line === "#") continue;
    const match = ENTRY_RE.exec(line);
    if (!match) fail(fileName, number, `expected "# aikore.<key> = <value>", got "${line}"`);
    const key = match[1] ?? "";
    if (!KEY_RE.test(key)) {
      fail(fileName, number, `key "${key}" must use a-z, 0-9 and '_' and start with a letter`);
    }
    const first = seen.get(key);
    if (first !== undefined) {
      fail(fileName, number, `duplicate key "${key}" (first set on line ${first})`);
    }
    seen.set(key, number);
    try {
      applyMetadataValue(meta, key, (match[2] ?? "").trim());
    } catch (error) {
      fail(fileName, number, `aikore.${key} ${(error as Error).message}`);
    }
  }
  return meta;
}
