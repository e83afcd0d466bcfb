import type { Context } from "hono";
import type { LiveConnections } from "../../lib/auth/mod.ts";
import type { AuditRepository } from "../../lib/db/mod.ts";
import { acceptSocket, actorOf, type ApiRouter, type AppEnv, idParam } from "../../lib/http/mod.ts";
import type {
  InstanceLifecycle,
  InstanceLogs,
  InstanceService,
  Terminal,
  TerminalManager,
} from "../../lib/instances/mod.ts";
import { bridgeSocket, type SocketBridge } from "../../lib/pty/mod.ts";
import { encodeServerMessage, TERMINAL_LIMITS } from "../../lib/shared/terminal_protocol.ts";
import { HttpError } from "../../lib/shared/http_error.ts";
import type { SocketHandlers } from "../../lib/http/mod.ts";

export interface SocketRouteDeps {
  service: InstanceService;
  lifecycle: InstanceLifecycle;
  logs: InstanceLogs;
  terminals: TerminalManager;
  /** Session + exact Origin check before anything is spawned; a Response refuses the upgrade. */
  guardUpgrade: (c: Context<AppEnv>) => Response | null;
  /** Every socket is registered under its credential and closed when that credential ends. */
  live: LiveConnections;
  /** Terminal opens and console input are audited. */
  audit: AuditRepository;
}

/** Close code sent when the session or token that opened a socket ends. */
export const CREDENTIAL_ENDED_CODE = 4001;

const CONSOLE_REPLAY_BYTES = 256 * 1024;

/** Ties a socket to the request's credential: it is closed when the credential ends. */
function tracked(c: Context<AppEnv>, live: LiveConnections, handlers: SocketHandlers) {
  let forget = () => {};
  return {
    onOpen(socket: WebSocket) {
      forget = live.add(c.get("principal")?.credential, () => {
        socket.close(CREDENTIAL_ENDED_CODE, "signed out");
        // Stop input and output now; the close handshake may take a moment.
        handlers.onClose();
      });
      handlers.onOpen(socket);
    },
    onMessage(data: string | ArrayBuffer) {
      handlers.onMessage(data);
    },
    onClose() {
      forget();
      handlers.onClose();
    },
  };
}

function bridgeHandlers(make: (socket: WebSocket) => SocketBridge): SocketHandlers {
  let bridge: SocketBridge | null = null;
  let closed = false;
  return {
    onOpen(socket: WebSocket) {
      bridge = make(socket);
    },
    onMessage(data: string | ArrayBuffer) {
      if (!closed) bridge?.onMessage(data);
    },
    onClose() {
      if (closed) return;
      closed = true;
      bridge?.onClose();
    },
  };
}

function audit(
  deps: SocketRouteDeps,
  c: Context<AppEnv>,
  action: string,
  target: string,
  detail: Record<string, unknown> | null,
) {
  const actor = actorOf(c);
  deps.audit.record({ actor: actor.actor, client: actor.client, action, target, detail });
}

/** WebSockets of the console (the instance's own output) and of instance terminals. */
export function registerSocketRoutes(router: ApiRouter, deps: SocketRouteDeps): void {
  router.route(
    {
      method: "get",
      path: "/api/instances/:id/console",
      summary:
        "WebSocket: live output of the instance process (replay on attach; input only with ?input=1)",
      tag: "sockets",
      websocket: true,
      query: { input: "1 to allow typing into the app's terminal" },
    },
    async (c) => {
      const refused = deps.guardUpgrade(c);
      if (refused) return refused;
      const record = deps.service.getValid(idParam(c));
      const allowInput = c.req.query("input") === "1";
      const running = deps.lifecycle.running(record.id);
      if (running) {
        if (allowInput) audit(deps, c, "console.input", record.slug, null);
        return acceptSocket(
          c,
          tracked(
            c,
            deps.live,
            bridgeHandlers((socket) =>
              bridgeSocket(running.session, socket, {
                readOnly: !allowInput,
                closeOnExit: true,
              })
            ),
          ),
        );
      }
      // Read before the upgrade: a log that is a link is refused with a 409, not replayed.
      const tail = await deps.logs.tail(record.slug, CONSOLE_REPLAY_BYTES);
      return acceptSocket(
        c,
        tracked(c, deps.live, {
          onOpen(socket) {
            socket.send(encodeServerMessage({
              type: "hello",
              protocol: 1,
              readOnly: true,
              cols: 0,
              rows: 0,
              ackEveryBytes: TERMINAL_LIMITS.ackEveryBytes,
            }));
            if (tail.length) socket.send(tail);
            socket.send(
              encodeServerMessage({
                type: "exit",
                code: record.exitCode,
                signal: record.exitSignal,
              }),
            );
            socket.close(1000, "not running");
          },
          onMessage() {},
          onClose() {},
        }),
      );
    },
  ).route(
    {
      method: "get",
      path: "/api/instances/:id/terminal",
      summary: "WebSocket: a shell in the instance environment (?terminal=<id> reattaches)",
      tag: "sockets",
      websocket: true,
      query: { terminal: "id of a live terminal to reattach (from POST …/terminals)" },
    },
    async (c) => {
      const refused = deps.guardUpgrade(c);
      if (refused) return refused;
      const record = deps.service.getValid(idParam(c));
      const wanted = c.req.query("terminal");
      let terminal: Terminal | null = null;
      if (wanted) {
        terminal = deps.terminals.get(wanted, record.id);
        if (!terminal) throw new HttpError(404, "That terminal has ended; open a new one");
      } else {
        const parent = record.parentId === null ? null : deps.service.getValid(record.parentId);
        terminal = await deps.terminals.open(record, parent);
        audit(deps, c, "terminal.open", record.slug, { terminal: terminal.id, via: "websocket" });
      }
      const live = terminal;
      deps.terminals.touch(live);
      return acceptSocket(
        c,
        tracked(c, deps.live, bridgeHandlers((socket) => bridgeSocket(live.session, socket, {}))),
      );
    },
  );
}
