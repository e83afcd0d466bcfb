import type { Context } from "hono";
import { flagQuery } from "../../lib/http/mod.ts";
import type { BrowsedFolder, FolderBrowser, OpenedFile } from "../../lib/instances/mod.ts";
import { folderPathProblem } from "../../lib/shared/folder_listing.ts";
import { invalidField } from "../../lib/shared/http_error.ts";
import type { Thumbnails } from "../../lib/thumbnails/mod.ts";

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

/** The longest a listing waits for a change (`wait`, seconds). */
export const MAX_LIST_WAIT_S = 30;

/**
 * What a listing's `since=VERSION&wait=S` asks: null to answer at once, else the version the
 * client has and how long to wait (S seconds, 0-30) for the listing to differ from it.
 */
export function waitQuery(c: Context): { since: string; waitMs: number } | null {
  const since = c.req.query("since");
  const waitText = c.req.query("wait") ?? "0";
  const wait = /^\d{1,2}$/.test(waitText) ? Number(waitText) : NaN;
  if (!(wait <= MAX_LIST_WAIT_S)) {
    throw invalidField("wait", `must be a whole number of seconds from 0 to ${MAX_LIST_WAIT_S}`);
  }
  if (since !== undefined && !/^[\w-]{1,64}$/.test(since)) {
    throw invalidField("since", "must be a version a listing gave");
  }
  return since === undefined || wait === 0 ? null : { since, waitMs: wait * 1000 };
}

/**
 * A folder listing as asked: at once, or (`since=VERSION&wait=S`) once it differs from the
 * version the client has, S seconds at most (0-30).
 */
export async function listAsAsked(
  c: Context,
  browser: FolderBrowser,
  folder: BrowsedFolder,
): Promise<Response> {
  const path = pathQuery(c);
  const wait = waitQuery(c);
  if (wait === null) return c.json(await browser.list(folder, path));
  return c.json(
    await browser.listWaiting(folder, path, wait.since, wait.waitMs, c.req.raw.signal),
  );
}

/**
 * Sends an opened file: images and videos inline (unless `download=1`), anything else as a
 * download. One byte range (`Range: bytes=…`) is answered with 206, so a video can be sought
 * and a download resumed; a range past the end is a 416.
 */
export function sendBrowsedFile(c: Context, opened: OpenedFile): Response {
  const inline = flagQuery(c, "download") ? null : opened.inline;
  c.header("content-type", inline?.type ?? "application/octet-stream");
  c.header(
    "content-disposition",
    contentDisposition(inline ? "inline" : "attachment", opened.name),
  );
  c.header("content-security-policy", BROWSED_FILE_CSP);
  c.header("accept-ranges", "bytes");
  const range = byteRange(c.req.header("range"), opened.size);
  if (range === null) return c.body(opened.file.readable);
  if (range === "unsatisfiable") {
    opened.file.close();
    c.header("content-range", `bytes */${opened.size}`);
    return c.body(null, 416);
  }
  c.header("content-range", `bytes ${range.start}-${range.end}/${opened.size}`);
  return c.body(rangeStream(opened.file, range.start, range.end - range.start + 1), 206);
}

/**
 * Sends the thumbnail of an opened image (a JPEG, its longer side 320 px at most), or the image
 * itself where none can be made (not a PNG, unreadable, still being written).
 * `X-AiKore-Thumbnail` says which: `made`, `cache` or `original`. `key` names the file among
 * every browsed folder ("outputs:…", "models:…").
 */
export async function sendThumbnail(
  c: Context,
  opened: OpenedFile,
  thumbnails: Thumbnails,
  key: string,
): Promise<Response> {
  let made;
  try {
    if (opened.inline?.preview !== "image") throw invalidField("path", "is not an image");
    made = await thumbnails.of({ ...opened, key });
    // None made: the file as it is, from its start (the attempt may have read it).
    if (made === null) await opened.file.seek(0, Deno.SeekMode.Start);
  } catch (error) {
    opened.file.close();
    throw error;
  }
  if (made === null) {
    c.header("x-aikore-thumbnail", "original");
    return sendBrowsedFile(c, opened);
  }
  opened.file.close();
  c.header("content-type", "image/jpeg");
  c.header("content-security-policy", BROWSED_FILE_CSP);
  c.header("x-aikore-thumbnail", made.from);
  return c.body(made.jpeg);
}

/**
 * The one range of a `Range: bytes=a-b | a- | -n` header within `size` bytes; null to send the
 * whole file (no header, or one this does not serve: several ranges, other units).
 */
export function byteRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | null {
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header?.trim() ?? "");
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const [first, last] = [match[1] as string, match[2] as string];
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** `length` bytes of `file` from `start`, as a stream that closes the file when done. */
function rangeStream(file: Deno.FsFile, start: number, length: number): ReadableStream<Uint8Array> {
  let left = length;
  return new ReadableStream<Uint8Array>({
    async start() {
      await file.seek(start, Deno.SeekMode.Start);
    },
    async pull(controller) {
      const chunk = new Uint8Array(Math.min(64 * 1024, left));
      const read = left > 0 ? await file.read(chunk) : null;
      if (read === null) {
        file.close();
        controller.close();
        return;
      }
      left -= read;
      controller.enqueue(chunk.subarray(0, read));
    },
    cancel() {
      file.close();
    },
  });
}

/** RFC 6266 with an RFC 5987 UTF-8 name; the plain fallback keeps printable ASCII only. */
function contentDisposition(how: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${how}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
