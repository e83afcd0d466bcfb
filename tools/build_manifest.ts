/**
 * What the pages need to know about a build: the hashed entry, each island's chunk with the
 * chunks it imports statically (preloaded), and byte counts for the first load and the lazy
 * chunks. Pure except `newestSource`.
 */
import type { BuildManifest } from "../routes/pages/island_assets.ts";

const STATIC_IMPORT_RE =
  /\b(?:import|export)\s*(?:[\w*{}\s,$]*?from\s*)?["']\.\/([\w.-]+\.js)["']/g;

/** The chunks a module imports statically (not `import()`). */
export function staticImportsOf(code: string): string[] {
  return [...new Set([...code.matchAll(STATIC_IMPORT_RE)].map((m) => m[1] ?? ""))].filter(
    Boolean,
  );
}

function closure(start: string, files: Record<string, string>): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || files[name] === undefined) return;
    seen.add(name);
    for (const next of staticImportsOf(files[name] ?? "")) visit(next);
  };
  visit(start);
  return [...seen];
}

/** Builds the manifest from the bundler's output files (name → text). */
export function manifestFrom(
  input: { entry: string; xtermCss: string; files: Record<string, string> },
): BuildManifest {
  const { entry, files } = input;
  const js = Object.keys(files).filter((name) => name.endsWith(".js"));
  const size = (name: string) => new TextEncoder().encode(files[name] ?? "").length;
  const entryClosure = closure(entry, files);
  const islands: Record<string, string[]> = {};
  const firstLoadBytes: Record<string, number> = {};
  const firstLoaded = new Set(entryClosure);
  for (const name of js) {
    const match = /^([A-Z][A-Za-z0-9]*)-[A-Z0-9]+\.js$/.exec(name);
    if (!match?.[1]) continue;
    const chunks = closure(name, files).filter((c) => !entryClosure.includes(c));
    islands[match[1]] = chunks.map((c) => `/build/${c}`);
    firstLoadBytes[match[1]] = [...entryClosure, ...chunks].reduce((n, c) => n + size(c), 0);
    for (const c of chunks) firstLoaded.add(c);
  }
  const lazyBytes = js.filter((name) => !firstLoaded.has(name)).reduce((n, c) => n + size(c), 0);
  return {
    entry: `/build/${entry}`,
    xtermCss: `/build/${input.xtermCss}`,
    islands,
    entryPreload: entryClosure.filter((c) => c !== entry).map((c) => `/build/${c}`),
    firstLoadBytes,
    lazyBytes,
    files: Object.fromEntries(Object.keys(files).map((name) => [name, size(name)])),
  };
}

const SOURCE_DIRS = ["islands", "components", "lib/shared"];
const SOURCE_FILES = [
  "deno.json",
  "deno.lock",
  "tools/build_islands.ts",
  "tools/build_manifest.ts",
];

/** Newest modification time (ms) of the files the browser bundle is built from. */
export async function newestSource(root: string): Promise<number> {
  let newest = 0;
  const consider = async (path: string) => {
    const info = await Deno.stat(path).catch(() => null);
    if (info?.mtime) newest = Math.max(newest, info.mtime.getTime());
  };
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (/\.(tsx?|css)$/.test(entry.name)) await consider(path);
    }
  };
  for (const dir of SOURCE_DIRS) await walk(`${root}/${dir}`).catch(() => {});
  for (const file of SOURCE_FILES) await consider(`${root}/${file}`);
  return newest;
}
