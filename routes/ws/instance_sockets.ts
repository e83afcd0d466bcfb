import type { Context } from "hono";
import { acceptSocket, type ApiRouter, type AppEnv, idParam } from "../../lib/http/mod.ts";
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

export interface SocketRouteDeps {
  service: InstanceService;
  lifecycle: InstanceLifecycle;
  logs: InstanceLogs;
  terminals: TerminalManager;
  /** Session + exact Origin check before anything is spawned; a Response refuses the upgrade. */
  guardUpgrade: (c: Context<AppEnv>) => Response | null;
  onTerminalOpened?: (c: Context<AppEnv>, instanceSlug: string, terminalId: string) => void;
}

const CONSOLE_REPLAY_BYTES = 256 * 1024;

function bridgeHandlers(make: (socket: WebSocket) => SocketBridge) {
  let bridge: SocketBridge | null = null;
  return {
    onOpen(socket: WebSocket) {
      bridge = make(socket);
    },
    onMessage(data: string | ArrayBuffer) {
      bridge?.onMessage(data);
    },
    onClose() {
      bridge?.onClose();
    },
  };
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
        return acceptSocket(
          c,
          bridgeHandlers((socket) =>
            bridgeSocket(running.session, socket, {
              readOnly: !allowInput,
              closeOnExit: true,
            })
          ),
        );
      }
      // Read before the upgrade: a log that is a link is refused with a 409, not replayed.
      const tail = await deps.logs.tail(record.slug, CONSOLE_REPLAY_BYTES);
      return acceptSocket(c, {
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
            encodeServerMessage({ type: "exit", code: record.exitCode, signal: record.exitSignal }),
          );
          socket.close(1000, "not running");
        },
        onMessage() {},
        onClose() {},
      });
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
        deps.onTerminalOpened?.(c, record.slug, terminal.id);
      }
      const live = terminal;
      deps.terminals.touch(live);
      return acceptSocket(c, bridgeHandlers((socket) => bridgeSocket(live.session, socket, {})));
    },
  );
}
