/**
 * JavaScript per page: what the dashboard and settings pages load before they are
 * interactive (entry + island chunk + shared chunks) versus the lazy chunks loaded only when a
 * terminal/console (xterm.js) or the script editor (CodeMirror) opens. Raw and gzip bytes.
 *
 *   deno run --allow-all tools/bench/ui_bundle_size.ts
 */
import { assetPaths } from "../../lib/config/mod.ts";
import { loadBuildManifest } from "../../routes/pages/island_assets.ts";
import { buildIslands } from "../build_islands.ts";
import { print } from "./ui_support.ts";

async function gzipSize(path: string): Promise<number> {
  const file = await Deno.open(path);
  const stream = file.readable.pipeThrough(new CompressionStream("gzip"));
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return bytes;
}

const started = performance.now();
await buildIslands();
const buildMs = performance.now() - started;
const manifest = await loadBuildManifest();
if (!manifest) throw new Error("no build manifest");
const name = (url: string) => url.replace("/build/", "");
const sizes = async (files: string[]) => {
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    raw += manifest.files[file] ?? 0;
    gzip += await gzipSize(`${assetPaths.build}/${file}`);
  }
  return { raw, gzip };
};
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const firstLoad = new Set<string>([name(manifest.entry), ...manifest.entryPreload.map(name)]);
for (const [island, chunks] of Object.entries(manifest.islands)) {
  const files = [name(manifest.entry), ...manifest.entryPreload.map(name), ...chunks.map(name)];
  for (const file of files) firstLoad.add(file);
  const { raw, gzip } = await sizes(files);
  print(`${island} page, first load: ${kib(raw)} (${kib(gzip)} gzip) in ${files.length} files`);
}
const lazy = Object.keys(manifest.files).filter((f) => f.endsWith(".js") && !firstLoad.has(f));
for (const file of lazy.sort()) {
  const { raw, gzip } = await sizes([file]);
  print(`  lazy ${file}: ${kib(raw)} (${kib(gzip)} gzip)`);
}
const total = await sizes(lazy);
print(`lazy chunks in all: ${kib(total.raw)} (${kib(total.gzip)} gzip), never in the first load`);
print(`build time: ${buildMs.toFixed(0)} ms`);
print("re-run: deno run --allow-all tools/bench/ui_bundle_size.ts");
