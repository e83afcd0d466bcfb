/**
 * The browser bundle as the pages link it: build/manifest.json (written by
 * tools/build_islands.ts) names the hashed entry, each island's chunks and xterm's stylesheet.
 * Re-read when the file changes, so a rebuild never leaves a page pointing at removed files.
 */
import { assetPaths } from "../../lib/config/mod.ts";

/** Contents of build/manifest.json. URLs are absolute paths under /build/. */
export interface BuildManifest {
  entry: string;
  xtermCss: string;
  /** Island name → URLs to preload (its chunk and every chunk it imports statically). */
  islands: Record<string, string[]>;
  /** Chunks the entry imports statically. */
  entryPreload: string[];
  /** Island name → bytes of JavaScript loaded before it is interactive. */
  firstLoadBytes: Record<string, number>;
  /** Bytes of JavaScript loaded only on demand (terminal, editor …). */
  lazyBytes: number;
  /** File name → size in bytes. */
  files: Record<string, number>;
}

let cached: { mtime: number; manifest: BuildManifest } | null = null;

/** The current manifest, or null when the islands were never built. */
export async function loadBuildManifest(dir = assetPaths.build): Promise<BuildManifest | null> {
  const path = `${dir}/manifest.json`;
  const info = await Deno.stat(path).catch(() => null);
  if (!info?.mtime) return null;
  const mtime = info.mtime.getTime();
  if (cached?.mtime === mtime && dir === assetPaths.build) return cached.manifest;
  try {
    const manifest = JSON.parse(await Deno.readTextFile(path)) as BuildManifest;
    if (dir === assetPaths.build) cached = { mtime, manifest };
    return manifest;
  } catch {
    return null;
  }
}
