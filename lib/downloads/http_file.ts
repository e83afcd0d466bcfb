/**
 * What an HTTP answer says about the file being downloaded: where its bytes start, its size and
 * its name. Pure functions of the headers.
 */
import { downloadNameProblem } from "../shared/model_download.ts";

/** Where an answer's body starts in the file, and the file's size when known. */
export interface BodyPlace {
  /** Offset of the body's first byte in the file. */
  start: number;
  total: number | null;
}

/** The start and size a Content-Range header says (`bytes START-END/TOTAL`, or no start). */
export function parseContentRange(
  header: string | null,
): { start: number | null; total: number | null } | null {
  const match = /^bytes\s+(?:(\d{1,17})-\d{1,17}|\*)\/(\d{1,17}|\*)$/.exec(header?.trim() ?? "");
  if (!match) return null;
  return {
    start: match[1] === undefined ? null : Number(match[1]),
    total: match[2] === "*" ? null : Number(match[2]),
  };
}

/** Where the body of a 200 or 206 answer goes; null when a 206 names no usable range. */
export function bodyPlace(response: Response): BodyPlace | null {
  const length = response.headers.get("content-length");
  const size = length !== null && /^\d{1,17}$/.test(length) ? Number(length) : null;
  if (response.status === 200) return { start: 0, total: size };
  const range = parseContentRange(response.headers.get("content-range"));
  if (range === null || range.start === null) return null;
  return { start: range.start, total: range.total };
}

/** The file name a Content-Disposition header gives (RFC 6266: `filename*` first), or null. */
export function dispositionName(header: string | null): string | null {
  if (header === null) return null;
  const extended = /filename\*\s*=\s*([\w!#$%&+^`{}~-]+)'[^']*'([^;\s]+)/i.exec(header);
  if (extended) {
    try {
      const charset = (extended[1] as string).toLowerCase();
      const raw = extended[2] as string;
      if (charset === "utf-8") return decodeURIComponent(raw);
      if (charset === "iso-8859-1") {
        return raw.replace(/%([0-9a-f]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
      }
    } catch {
      // a malformed escape: fall back to the plain filename
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return (quoted[1] as string).replace(/\\(.)/g, "$1");
  const token = /filename\s*=\s*([^;\s"]+)/i.exec(header);
  return token ? (token[1] as string) : null;
}

/** The last segment of a URL's path, decoded, or null. */
function urlName(url: string): string | null {
  const segment = new URL(url).pathname.split("/").pop() ?? "";
  try {
    return segment === "" ? null : decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The name a downloaded file is given when the user gave none: the server's
 * Content-Disposition, else the last segment of the address asked for, else `download-ID`.
 * Only a name that is a plain, visible file name is taken (a server cannot name `../x`).
 */
export function chooseFileName(response: Response, askedUrl: string, id: number): string {
  const candidates = [
    dispositionName(response.headers.get("content-disposition")),
    urlName(askedUrl),
  ];
  for (const candidate of candidates) {
    const name = candidate?.trim();
    if (name && downloadNameProblem(name) === null) return name;
  }
  return `download-${id}`;
}
