import type { Context } from "hono";
import { flagQuery } from "../../lib/http/mod.ts";
import type { OpenedFile } from "../../lib/instances/mod.ts";
import { folderPathProblem } from "../../lib/shared/folder_listing.ts";
import { invalidField } from "../../lib/shared/http_error.ts";

/**
 * A file of a browsed folder is an app's (or a download's) content on the dashboard's origin:
 * it gets no script, no plugin, no form and no same-origin rights, whatever it holds.
 */
export const BROWSED_FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox";

/** The `path` query of a folder route ("" when absent); a 422 naming it when it is bad. */
export function pathQuery(c: Context): string {
  const path = c.req.query("path") ?? "";
  const problem = folderPathProblem(path);
  if (problem) throw invalidField("path", problem);
  return path;
}

/** Sends an opened file: images and videos inline (unless `download=1`), anything else as a download. */
export function sendBrowsedFile(c: Context, opened: OpenedFile): Response {
  const inline = flagQuery(c, "download") ? null : opened.inline;
  c.header("content-type", inline?.type ?? "application/octet-stream");
  c.header(
    "content-disposition",
    contentDisposition(inline ? "inline" : "attachment", opened.name),
  );
  c.header("content-security-policy", BROWSED_FILE_CSP);
  return c.body(opened.file.readable);
}

/** RFC 6266 with an RFC 5987 UTF-8 name; the plain fallback keeps printable ASCII only. */
function contentDisposition(how: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${how}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
