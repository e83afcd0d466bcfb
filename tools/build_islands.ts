/**
 * Bundles the browser islands into `build/` with `deno bundle --platform browser
 * --code-splitting`: one small entry (`client-<hash>.js`), one chunk per island, and lazy
 * chunks for xterm.js and CodeMirror that load only when a terminal or the editor opens.
 * Copies xterm's stylesheet next to them and writes `build/manifest.json`, which the pages
 * read to link the hashed files (served with a long cache).
 *
 * Usage: deno run --allow-all tools/build_islands.ts [--if-stale] [--sourcemap]
 */
import { assetPaths } from "../lib/config/mod.ts";
import { manifestFrom, newestSource } from "./build_manifest.ts";
import type { BuildManifest } from "../routes/pages/island_assets.ts";

const ENTRY = "islands/client.ts";
const XTERM_CSS = "node_modules/@xterm/xterm/css/xterm.css";

async function sha256Short(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("")
    .toUpperCase();
}

async function runBundle(outDir: string, sourcemap: boolean): Promise<void> {
  const args = [
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "--code-splitting",
    "--minify",
    "--outdir",
    outDir,
    ...(sourcemap ? ["--sourcemap", "linked"] : []),
    ENTRY,
  ];
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: assetPaths.root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const text = new TextDecoder().decode(result.stderr) + new TextDecoder().decode(result.stdout);
    throw new Error(`deno bundle failed (exit ${result.code}):\n${text}`);
  }
}

/** Builds the islands; returns the manifest. Files of earlier builds are removed. */
export async function buildIslands(
  options: { sourcemap?: boolean } = {},
): Promise<BuildManifest> {
  const buildDir = assetPaths.build;
  const staging = `${buildDir}/.staging-${crypto.randomUUID()}`;
  await Deno.mkdir(staging, { recursive: true });
  try {
    await runBundle(staging, options.sourcemap ?? false);
    const entryBytes = await Deno.readFile(`${staging}/client.js`);
    const entryName = `client-${await sha256Short(entryBytes)}.js`;
    await Deno.rename(`${staging}/client.js`, `${staging}/${entryName}`);
    const css = await Deno.readFile(`${assetPaths.root}/${XTERM_CSS}`);
    const cssName = `xterm-${await sha256Short(css)}.css`;
    await Deno.writeFile(`${staging}/${cssName}`, css);
    const files: Record<string, string> = {};
    for await (const entry of Deno.readDir(staging)) {
      if (entry.isFile) files[entry.name] = await Deno.readTextFile(`${staging}/${entry.name}`);
    }
    const manifest = manifestFrom({ entry: entryName, xtermCss: cssName, files });
    const written: string[] = [];
    for (const name of Object.keys(files)) {
      // Served instead of the file to browsers that accept gzip (a third of the bytes).
      await gzipFile(`${staging}/${name}`, `${staging}/${name}.gz`);
      // Renames only: a concurrent build of the same sources writes the same names.
      await Deno.rename(`${staging}/${name}.gz`, `${buildDir}/${name}.gz`);
      await Deno.rename(`${staging}/${name}`, `${buildDir}/${name}`);
      written.push(name, `${name}.gz`);
    }
    const manifestTmp = `${buildDir}/.manifest-${crypto.randomUUID()}.json`;
    await Deno.writeTextFile(manifestTmp, JSON.stringify(manifest, null, 2));
    await Deno.rename(manifestTmp, `${buildDir}/manifest.json`);
    await removeOldFiles(buildDir, new Set([...written, "manifest.json"]));
    return manifest;
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

async function gzipFile(from: string, to: string): Promise<void> {
  const source = await Deno.open(from);
  const target = await Deno.open(to, { write: true, create: true, truncate: true });
  await source.readable.pipeThrough(new CompressionStream("gzip")).pipeTo(target.writable);
}

async function removeOldFiles(dir: string, keep: Set<string>): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || keep.has(entry.name) || entry.name.startsWith(".")) continue;
    await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
  }
}

/** True when build/manifest.json is missing or older than a browser source file. */
export async function islandsAreStale(): Promise<boolean> {
  const built = await Deno.stat(`${assetPaths.build}/manifest.json`).catch(() => null);
  if (!built?.mtime) return true;
  return (await newestSource(assetPaths.root)) > built.mtime.getTime();
}

/** Builds unless the current build is newer than every source (for tests and benchmarks). */
export async function ensureIslandsBuilt(): Promise<void> {
  if (await islandsAreStale()) await buildIslands();
}

if (import.meta.main) {
  const started = performance.now();
  if (Deno.args.includes("--if-stale") && !(await islandsAreStale())) Deno.exit(0);
  await Deno.mkdir(assetPaths.build, { recursive: true });
  const manifest = await buildIslands({ sourcemap: Deno.args.includes("--sourcemap") });
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const line = `islands built in ${Math.round(performance.now() - started)} ms: first load ${
    kb(manifest.firstLoadBytes.Dashboard ?? 0)
  } (dashboard), lazy ${kb(manifest.lazyBytes)}\n`;
  await Deno.stdout.write(new TextEncoder().encode(line));
}
