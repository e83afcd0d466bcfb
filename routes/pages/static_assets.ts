import type { Context, Hono } from "hono";
import { assetPaths } from "../../lib/config/mod.ts";
import type { AppEnv } from "../../lib/http/mod.ts";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
  txt: "text/plain; charset=utf-8",
};
const SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Bundle names carry a content hash: `client-1A2B3C4D5E6F.js`, `chunk-ABCD1234.js`. */
const HASHED_RE = /-[A-Z0-9]{8,}\.(js|css)$/;
const LONG_CACHE = "public, max-age=31536000, immutable";

/** The file a request names inside `root`, or null (dot segments, hidden or odd names). */
export function assetPath(root: string, rest: string): string | null {
  const segments = rest.split("/");
  if (segments.length > 4 || !segments.every((s) => SEGMENT_RE.test(s) && !s.includes(".."))) {
    return null;
  }
  const extension = segments.at(-1)?.split(".").at(-1) ?? "";
  return TYPES[extension] ? `${root}/${segments.join("/")}` : null;
}

async function serve(c: Context<AppEnv>, root: string, prefix: string, hashed: boolean) {
  let rest: string;
  try {
    rest = decodeURIComponent(c.req.path.slice(prefix.length));
  } catch {
    // `/static/%ff`: malformed percent-encoding is the client's error, not a 500 and a stack.
    return c.text("Bad request: malformed URL encoding", 400);
  }
  const path = assetPath(root, rest);
  const info = path ? await Deno.stat(path).catch(() => null) : null;
  if (!path || !info?.isFile) return c.text("Not found", 404);
  const etag = `W/"${info.size.toString(36)}-${(info.mtime?.getTime() ?? 0).toString(36)}"`;
  const name = path.split("/").at(-1) ?? "";
  const headers: Record<string, string> = {
    "Content-Type": TYPES[name.split(".").at(-1) ?? ""] ?? "application/octet-stream",
    "Cache-Control": hashed && HASHED_RE.test(name) ? LONG_CACHE : "no-cache",
    ETag: etag,
  };
  if (name === "manifest.json") headers["Cache-Control"] = "no-store";
  if (hashed) headers.Vary = "Accept-Encoding";
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
  // The build writes a gzip copy of every bundle; send it to browsers that accept it.
  if (hashed && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
    const gzipped = await Deno.readFile(`${path}.gz`).catch(() => null);
    if (gzipped) return c.body(gzipped, 200, { ...headers, "Content-Encoding": "gzip" });
  }
  return c.body(await Deno.readFile(path), 200, headers);
}

/**
 * Serves `static/` at /static/ (revalidated) and the island bundles in `build/` at /build/
 * (hashed names cached for a year). Only plain file names with known types are served.
 */
export function registerStaticAssets(
  app: Hono<AppEnv>,
  dirs: { static: string; build: string } = assetPaths,
): void {
  app.get("/static/*", (c) => serve(c, dirs.static, "/static/", false));
  app.get("/build/*", (c) => serve(c, dirs.build, "/build/", true));
}
