/**
 * Small loopback servers for gateway and proxy tests: an HTTP + WebSocket echo app, a
 * Gradio-like app that emits absolute asset URLs, and a fake AiKore backend whose
 * `/api/auth/check` accepts one cookie or bearer token. Each binds 127.0.0.1 on a free port.
 */

import { concatBytes } from "../../lib/shared/bytes.ts";

/** A running test server. */
export interface TestServer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** What the fake backend's auth check saw, one entry per call. */
export interface AuthCheckCall {
  method: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

/** The fake AiKore backend with the auth checks it received. */
export interface FakeBackend extends TestServer {
  checks: AuthCheckCall[];
}

function listen(handler: Deno.ServeHandler, port = 0, beforeClose = () => {}): Promise<TestServer> {
  const ready = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: (addr) => ready.resolve(addr.port),
    onError: () => new Response("test app error", { status: 500 }),
  }, handler);
  return ready.promise.then((bound) => ({
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: async () => {
      beforeClose();
      await server.shutdown().catch(() => {});
      await server.finished;
    },
  }));
}

function headerRecord(headers: Headers): Record<string, string> {
  return Object.fromEntries(headers.entries());
}

async function digestBody(
  body: ReadableStream<Uint8Array> | null,
): Promise<{ bytes: number; sha256: string }> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  if (body) {
    for await (const chunk of body) {
      chunks.push(chunk);
      bytes += chunk.length;
    }
  }
  return { bytes, sha256: await sha256Hex(concatBytes(chunks)) };
}

/** Hex SHA-256 of `data`. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data as BufferSource));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function echoSocket(request: Request, greeting: string): Response {
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => socket.send(greeting);
  socket.onmessage = (event) => socket.send(`echo:${event.data}`);
  socket.onerror = () => {};
  return response;
}

/**
 * Server-sent events that prove nothing buffers them: `tick 0` is sent at once, `tick 1`
 * only after `release()` is called (the test calls it after reading `tick 0`), then the end.
 */
class GatedEvents {
  private gates: Array<() => void> = [];

  stream(): Response {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(encoder.encode("data: tick 0\n\n"));
        this.gates.push(() => {
          try {
            controller.enqueue(encoder.encode("data: tick 1\n\n"));
            controller.close();
          } catch {
            // The client went away first.
          }
        });
      },
    });
    return new Response(body, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
    });
  }

  release(): Response {
    const gates = this.gates.splice(0);
    gates.forEach((open) => open());
    return Response.json({ released: gates.length });
  }
}

/**
 * An app that echoes what reached it: `GET *` → JSON (method, path, query, headers),
 * `POST *` → byte count and SHA-256 of the body, `/ws` → WebSocket echo (first message
 * `hello path=<path>`), `/sse` → gated events (`/sse/release` sends the rest), `/small` → a
 * fixed 13-byte body.
 */
export function startEchoApp(port = 0): Promise<TestServer> {
  const events = new GatedEvents();
  return listen(
    async (request) => {
      const url = new URL(request.url);
      if (url.pathname === "/sse/release") return events.release();
      if (url.pathname === "/small") return new Response("hello, world\n");
      if (url.pathname.endsWith("/ws") && request.headers.get("upgrade") === "websocket") {
        return echoSocket(request, `hello path=${url.pathname}`);
      }
      if (url.pathname === "/sse") return events.stream();
      if (request.method === "POST" || request.method === "PUT") {
        const digest = await digestBody(request.body);
        return Response.json({ method: request.method, path: url.pathname, ...digest });
      }
      return Response.json({
        method: request.method,
        path: url.pathname,
        query: url.search,
        headers: headerRecord(request.headers),
      });
    },
    port,
    () => events.release(),
  );
}

/** The asset script served by the Gradio-like app. */
export const GRADIO_LIKE_SCRIPT = "window.gradioLikeLoaded = true;\n";

/**
 * A Gradio-like app: `/` is HTML referencing `/assets/app.js` and `/assets/app.css` by
 * absolute path (so it only works at the root of its own origin), `/config` is JSON with
 * the root URL it believes it has.
 */
export function startGradioLikeApp(port = 0): Promise<TestServer> {
  return listen((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/") {
      const html = '<!doctype html><html><head><link rel="stylesheet" href="/assets/app.css">' +
        '<script src="/assets/app.js"></script></head><body><div id="app">gradio-like</div></body></html>';
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (url.pathname === "/assets/app.js") {
      return new Response(GRADIO_LIKE_SCRIPT, { headers: { "content-type": "text/javascript" } });
    }
    if (url.pathname === "/assets/app.css") {
      return new Response("#app{color:red}\n", { headers: { "content-type": "text/css" } });
    }
    if (url.pathname === "/config") {
      return Response.json({ root: `http://${request.headers.get("host") ?? ""}` });
    }
    if (url.pathname === "/queue/join" && request.headers.get("upgrade") === "websocket") {
      return echoSocket(request, "queue ready");
    }
    return new Response("not found", { status: 404 });
  }, port);
}

/**
 * A stand-in for AiKore's own server: `/api/auth/check` answers 204 when the request carries
 * cookie `<cookieName>=<secret>` or `Authorization: Bearer <secret>`, else 401 (every call is
 * recorded); `/api/ws` is a WebSocket echo; `/api/events` streams gated SSE events
 * (`/api/events/release` sends the rest); everything else answers JSON with the path and
 * the forwarded headers.
 */
export function startFakeBackend(
  secret: string,
  options: {
    cookieName?: string;
    port?: number;
    /** Answers first when it returns a response (e.g. AiKore's real gateway endpoint). */
    intercept?: (request: Request) => Response | Promise<Response> | null;
  } = {},
): Promise<FakeBackend> {
  const cookieName = options.cookieName ?? "aikore_session";
  const checks: AuthCheckCall[] = [];
  const events = new GatedEvents();
  return listen(
    async (request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/events/release") return events.release();
      if (url.pathname === "/_aikore/gateway/check") {
        const bodyBytes = (await digestBody(request.body)).bytes;
        checks.push({ method: request.method, headers: headerRecord(request.headers), bodyBytes });
      }
      const intercepted = options.intercept?.(request);
      if (intercepted) return intercepted;
      if (url.pathname === "/api/auth/check") {
        const bodyBytes = (await digestBody(request.body)).bytes;
        checks.push({ method: request.method, headers: headerRecord(request.headers), bodyBytes });
        const cookies = (request.headers.get("cookie") ?? "").split(/;\s*/);
        const allowed = cookies.includes(`${cookieName}=${secret}`) ||
          request.headers.get("authorization") === `Bearer ${secret}`;
        return new Response(null, { status: allowed ? 204 : 401 });
      }
      if (url.pathname === "/api/ws" && request.headers.get("upgrade") === "websocket") {
        return echoSocket(request, "backend ws");
      }
      if (url.pathname === "/api/events") return events.stream();
      return Response.json({
        backend: url.pathname,
        query: url.search,
        headers: headerRecord(request.headers),
      });
    },
    options.port ?? 0,
    () => events.release(),
  ).then((server) => ({ ...server, checks }));
}
