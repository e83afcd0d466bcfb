import { extname, join, normalize } from "node:path";

/** A desktop's web front: noVNC's files served here, only the WebSocket goes to websockify. */
export interface ViewerFront {
  /** Loopback port the gateway publishes. */
  readonly port: number;
  /** Stops listening and cuts open viewers; safe to call again. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".ogg": "audio/ogg",
  ".mp3": "audio/mpeg",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
};

/** The file under `webRoot` a URL path names, or null when it would leave the root. */
export function fileOf(webRoot: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.split("/").includes("..")) return null;
  const path = normalize(join(webRoot, decoded));
  if (path !== webRoot && !path.startsWith(`${webRoot}/`)) return null;
  return decoded.endsWith("/") ? join(path, "index.html") : path;
}

async function serveFile(webRoot: string, request: Request): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  const path = fileOf(webRoot, new URL(request.url).pathname);
  if (!path) return new Response("bad path\n", { status: 400 });
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path); // noVNC's files are links into the package's folder
    const info = await file.stat();
    if (!info.isFile) {
      file.close();
      return new Response("not found\n", { status: 404 });
    }
    const landing = path.endsWith("/index.html");
    const headers = {
      "content-type": TYPES[extname(path)] ?? "application/octet-stream",
      "content-length": String(info.size),
      // The client's files change only with the package; the landing page names the route.
      "cache-control": landing ? "no-store" : "max-age=3600",
    };
    if (request.method === "HEAD") {
      file.close();
      return new Response(null, { headers });
    }
    return new Response(file.readable, { headers });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
      return new Response("not found\n", { status: 404 });
    }
    throw error;
  }
}

/** Relays one viewer's WebSocket to websockify on `wsPort`, both ways, until either closes. */
function relay(
  request: Request,
  wsPort: number,
  open: Set<WebSocket>,
  onError: (error: unknown) => void,
): Response {
  const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",")
    .map((p) => p.trim()).filter(Boolean);
  const protocol = offered.includes("binary") ? "binary" : undefined;
  const { socket, response } = Deno.upgradeWebSocket(request, protocol ? { protocol } : {});
  const upstream = new WebSocket(`ws://127.0.0.1:${wsPort}/websockify`, protocol ? [protocol] : []);
  upstream.binaryType = "arraybuffer";
  socket.binaryType = "arraybuffer";
  open.add(socket);
  open.add(upstream);
  const early: (string | ArrayBuffer)[] = [];
  socket.onmessage = (event) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(event.data);
    else early.push(event.data);
  };
  upstream.onopen = () => {
    for (const data of early.splice(0)) upstream.send(data);
  };
  upstream.onmessage = (event) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(event.data);
  };
  const closeBoth = () => {
    open.delete(socket);
    open.delete(upstream);
    for (const end of [socket, upstream]) {
      if (end.readyState === WebSocket.OPEN || end.readyState === WebSocket.CONNECTING) {
        try {
          end.close();
        } catch (error) {
          onError(error);
        }
      }
    }
  };
  socket.onclose = closeBoth;
  upstream.onclose = closeBoth;
  socket.onerror = closeBoth;
  upstream.onerror = closeBoth;
  return response;
}

/**
 * Serves `webRoot` (noVNC and the landing pages) on a loopback port and relays WebSocket
 * upgrades to websockify: websockify forks a process per HTTP connection, which made a viewer's
 * ~70 file requests the slow part of the first frame.
 */
export function startViewerFront(options: {
  webRoot: string;
  wsPort: number;
  onError?: (error: unknown) => void;
}): ViewerFront {
  const onError = options.onError ?? (() => {});
  const webRoot = normalize(options.webRoot);
  const open = new Set<WebSocket>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    onError: (error) => {
      onError(error);
      return new Response("internal error\n", { status: 500 });
    },
  }, (request) => {
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return relay(request, options.wsPort, open, onError);
    }
    return serveFile(webRoot, request);
  });
  let closed: Promise<void> | null = null;
  return {
    port: server.addr.port,
    close() {
      // Viewers are cut (the desktop is going away): graceful shutdown would wait for them.
      closed ??= (async () => {
        for (const socket of [...open]) socket.close();
        await server.shutdown();
      })();
      return closed;
    },
  };
}
