import type { Context } from "hono";
import { HttpError } from "../shared/http_error.ts";

/** What a route does with an accepted WebSocket. */
export interface SocketHandlers {
  onOpen(socket: WebSocket): void;
  onMessage(data: string | ArrayBuffer): void;
  onClose(): void;
}

/**
 * Upgrades the request to a WebSocket (call only after every check passed, so that nothing is
 * spawned for a refused socket). 400 when the request is not an upgrade.
 */
export function acceptSocket(c: Context, handlers: SocketHandlers): Response {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new HttpError(400, "This endpoint needs a WebSocket upgrade");
  }
  const { response, socket } = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 60 });
  socket.binaryType = "arraybuffer";
  socket.onopen = () => handlers.onOpen(socket);
  socket.onmessage = (event) => handlers.onMessage(event.data);
  socket.onclose = () => handlers.onClose();
  socket.onerror = () => {};
  return response;
}
