import { listBeneath, PathRefused, readPartBeneathSync } from "../fs/mod.ts";

/** Folders never searched for checkouts (besides the environment): large and never the app's. */
const NOT_SEARCHED = new Set([".git", "node_modules", "__pycache__", ".cache", "logs"]);

const SHA = /^[0-9a-f]{40}$/;
const REF = /^refs\/[A-Za-z0-9._/-]+$/;

/** The first line of a small file beneath `root`, or null (missing, refused, not a file). */
function firstLine(root: string, path: string): string | null {
  try {
    const bytes = readPartBeneathSync(root, path, 4096, "head");
    return bytes === null ? null : new TextDecoder().decode(bytes).split("\n")[0]?.trim() ?? null;
  } catch (error) {
    if (error instanceof PathRefused || error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/**
 * The commit a `.git` folder's HEAD names, read from its files (a detached SHA, a loose ref, or
 * `packed-refs`), or null. Git itself is never run: a repository's own config could make it run
 * commands, and the checkouts are the apps'.
 */
export function headCommit(root: string, gitDir: string): string | null {
  const head = firstLine(root, `${gitDir}/HEAD`);
  if (head === null) return null;
  if (SHA.test(head)) return head;
  const ref = head.startsWith("ref: ") ? head.slice(5).trim() : "";
  if (!REF.test(ref) || ref.split("/").includes("..")) return null;
  const loose = firstLine(root, `${gitDir}/${ref}`);
  if (loose !== null && SHA.test(loose)) return loose;
  let packed: Uint8Array | null = null;
  try {
    packed = readPartBeneathSync(root, `${gitDir}/packed-refs`, 4 * 1024 * 1024, "head");
  } catch (error) {
    if (!(error instanceof PathRefused || error instanceof Deno.errors.NotFound)) throw error;
  }
  for (const line of new TextDecoder().decode(packed ?? new Uint8Array()).split("\n")) {
    const [sha = "", name = ""] = line.trim().split(" ");
    if (name === ref && SHA.test(sha)) return sha;
  }
  return null;
}

/**
 * The git checkouts under `root`, down to `maxDepth` folders (`ComfyUI` and
 * `ComfyUI/custom_nodes/X`), each with the commit of its HEAD: relative path → SHA. Links are
 * not followed, and the folders in `skip` (the environment, relative to `root`) are not entered.
 */
export async function findCheckouts(
  root: string,
  skip: readonly string[],
  maxDepth = 3,
): Promise<Record<string, string>> {
  const checkouts: Record<string, string> = {};
  const pending: Array<{ path: string; depth: number }> = [{ path: "", depth: 0 }];
  while (pending.length > 0) {
    const { path, depth } = pending.shift() as { path: string; depth: number };
    let listed: Awaited<ReturnType<typeof listBeneath>> = null;
    try {
      listed = await listBeneath(root, path, 5000);
    } catch (error) {
      if (!(error instanceof PathRefused)) throw error;
    }
    for (const entry of listed?.entries ?? []) {
      if (entry.kind !== "folder") continue;
      const child = path === "" ? entry.name : `${path}/${entry.name}`;
      if (entry.name === ".git") {
        const commit = headCommit(root, child);
        if (commit !== null) checkouts[path === "" ? "." : path] = commit;
      } else if (depth < maxDepth && !NOT_SEARCHED.has(entry.name) && !skip.includes(child)) {
        pending.push({ path: child, depth: depth + 1 });
      }
    }
  }
  return checkouts;
}
