import { join } from "node:path";

/**
 * The web client's URL prefix as the browser sees it ("/" on the instance's pool port,
 * "/instance/<slug>/" on the dashboard port). Throws a RangeError on anything else.
 */
export function normalizePrefix(prefix: string): string {
  const value = prefix.endsWith("/") ? prefix : `${prefix}/`;
  if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(value) || /\/\.\.?\//.test(value)) {
    throw new RangeError(
      `pathPrefix: "${prefix}" must be / or /segment/…/ (letters, digits . _ ~ -)`,
    );
  }
  return value;
}

/**
 * noVNC query: connect at once, resize the remote desktop to the browser window, reconnect
 * after a cut, and reach the WebSocket at `<prefix>websockify` on the page's own origin
 * (noVNC joins host, port and `path` itself, so the path carries the prefix, without "/").
 */
export function viewerQuery(prefix: string): string {
  const path = `${normalizePrefix(prefix).slice(1)}websockify`;
  return new URLSearchParams({
    autoconnect: "1",
    resize: "remote",
    reconnect: "1",
    reconnect_delay: "1000",
    path,
  }).toString();
}

/** Path (with query) of the viewer page under `prefix`. */
export function viewerPath(prefix: string): string {
  return `${normalizePrefix(prefix)}vnc.html?${viewerQuery(prefix)}`;
}

/** Landing page at `<prefix>`: forwards to the viewer without any script (CSP-friendly). */
export function landingHtml(prefix: string): string {
  const target = `vnc.html?${viewerQuery(prefix)}`.replaceAll("&", "&amp;");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="refresh" content="0; url=${target}">`,
    "<title>AiKore desktop</title></head>",
    `<body><a href="${target}">Open the desktop</a></body></html>`,
    "",
  ].join("\n");
}

/**
 * Fills `webRoot` with links to the noVNC client files and our landing `index.html`, so
 * websockify serves both from one folder.
 */
export async function prepareWebRoot(webRoot: string, clientDir: string, prefix: string) {
  await Deno.remove(webRoot, { recursive: true }).catch(() => {});
  await Deno.mkdir(webRoot, { recursive: true });
  for await (const entry of Deno.readDir(clientDir)) {
    if (entry.name === "index.html") continue;
    await Deno.symlink(join(clientDir, entry.name), join(webRoot, entry.name));
  }
  await Deno.writeTextFile(join(webRoot, "index.html"), landingHtml(prefix));
}
