/**
 * A real HTTP/1.1 file server for the download tests, written on plain TCP so that a connection
 * can be cut after an exact number of body bytes: serves one payload with byte ranges, and can
 * cut connections mid-body, ignore ranges, hold a body until released, refuse, or redirect.
 */
import { byteRange } from "../../routes/api/folder_files.ts";

export interface ServedRequest {
  path: string;
  range: string | null;
  authorization: string | null;
}

export interface FileServerBehaviour {
  /** Body bytes sent before the connection is cut, for the next requests (one each). */
  breakAfter: number[];
  /** Answers 200 with the whole file whatever the range. */
  ignoreRange: boolean;
  /** Sends this many body bytes, then holds the rest until `release()`. */
  holdAfter: number | null;
  /** Answers this status (no body) instead. */
  status: number | null;
  /** Content-Disposition to send. */
  disposition: string | null;
  /** Redirects `/moved/REST` to this base URL + `/REST`. */
  redirectTo: string | null;
  /** Claims a file of this size (Content-Length), then closes without a byte. */
  claimedSize: number | null;
  /** Content-Type to send. */
  contentType: string | null;
  /** `X-Linked-Etag` sent with the redirect (Hugging Face announces the SHA-256 so). */
  linkedEtag: string | null;
}

export interface FileServer {
  url: string;
  payload: Uint8Array;
  requests: ServedRequest[];
  behaviour: FileServerBehaviour;
  release(): void;
  close(): Promise<void>;
}

/** Deterministic bytes (a fixed seed), so a misplaced range shows. */
export function payloadOf(size: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
}

const REASONS: Record<number, string> = {
  200: "OK",
  206: "Partial Content",
  302: "Found",
  401: "Unauthorized",
  404: "Not Found",
  416: "Range Not Satisfiable",
  503: "Service Unavailable",
};

async function readHead(conn: Deno.Conn): Promise<string | null> {
  const buffer = new Uint8Array(16384);
  let length = 0;
  for (;;) {
    const n = await conn.read(buffer.subarray(length)).catch(() => null);
    if (n === null) return null;
    length += n;
    const text = new TextDecoder().decode(buffer.subarray(0, length));
    if (text.includes("\r\n\r\n")) return text;
    if (length === buffer.length) return null;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

export function serveFile(payload: Uint8Array): FileServer {
  const behaviour: FileServerBehaviour = {
    breakAfter: [],
    ignoreRange: false,
    holdAfter: null,
    status: null,
    disposition: null,
    redirectTo: null,
    claimedSize: null,
    contentType: null,
    linkedEtag: null,
  };
  const requests: ServedRequest[] = [];
  let releaseHeld: () => void = () => {};
  let held = new Promise<void>((resolve) => (releaseHeld = resolve));
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`;

  async function answer(conn: Deno.Conn): Promise<void> {
    const head = await readHead(conn);
    if (head === null) return;
    const [requestLine, ...lines] = head.split("\r\n");
    const path = requestLine?.split(" ")[1] ?? "/";
    const header = (name: string) =>
      lines.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1)
        .trim() ?? null;
    requests.push({ path, range: header("range"), authorization: header("authorization") });
    const send = async (status: number, headers: Record<string, string>, body?: Uint8Array) => {
      const all = { connection: "close", "content-length": String(body?.length ?? 0), ...headers };
      const text = `HTTP/1.1 ${status} ${REASONS[status] ?? "Other"}\r\n` +
        Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
      await writeAll(conn, new TextEncoder().encode(text));
    };
    if (behaviour.redirectTo !== null && path.startsWith("/moved/")) {
      const location = { location: `${behaviour.redirectTo}/${path.slice(7)}` };
      const tag = behaviour.linkedEtag === null ? {} : { "x-linked-etag": behaviour.linkedEtag };
      return await send(302, { ...location, ...tag });
    }
    if (behaviour.status !== null) return await send(behaviour.status, {});
    if (behaviour.claimedSize !== null) {
      const claim = `HTTP/1.1 200 OK\r\ncontent-length: ${behaviour.claimedSize}\r\n\r\n`;
      return await writeAll(conn, new TextEncoder().encode(claim));
    }
    const headers: Record<string, string> = { "accept-ranges": "bytes" };
    if (behaviour.disposition !== null) headers["content-disposition"] = behaviour.disposition;
    if (behaviour.contentType !== null) headers["content-type"] = behaviour.contentType;
    const range = behaviour.ignoreRange
      ? null
      : byteRange(header("range") ?? undefined, payload.length);
    if (range === "unsatisfiable") {
      return await send(416, { ...headers, "content-range": `bytes */${payload.length}` });
    }
    const start = range?.start ?? 0;
    const body = payload.subarray(start, (range?.end ?? payload.length - 1) + 1);
    if (range) headers["content-range"] = `bytes ${start}-${range.end}/${payload.length}`;
    await send(range ? 206 : 200, headers, body);
    const cut = behaviour.breakAfter.shift();
    const holdAfter = behaviour.holdAfter;
    const first = Math.min(cut ?? holdAfter ?? body.length, body.length);
    await writeAll(conn, body.subarray(0, first));
    if (cut !== undefined) return; // the connection closes short of its length
    if (holdAfter !== null) await held;
    await writeAll(conn, body.subarray(first));
  }

  const accepting = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      answer(conn)
        .catch(() => {}) // the client went: nothing to answer
        .finally(() => {
          conns.delete(conn);
          try {
            conn.close();
          } catch {
            // closed already
          }
        });
    }
  })();
  return {
    url,
    payload,
    requests,
    behaviour,
    release() {
      releaseHeld();
      held = new Promise<void>((resolve) => (releaseHeld = resolve));
    },
    async close() {
      releaseHeld();
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // closed already
        }
      }
      await accepting.catch(() => {});
    },
  };
}
