import {
  decodeClientMessage,
  encodeServerMessage,
  TERMINAL_LIMITS,
  TERMINAL_PROTOCOL_VERSION,
  type TerminalClientMessage,
  type TerminalServerMessage,
} from "../shared/terminal_protocol.ts";
import { OutputBatcher } from "./output_batcher.ts";
import type { PtySession } from "./pty_session.ts";

/** The part of a WebSocket the bridge writes to. */
export interface SocketSink {
  /** Must copy what it is given before returning (WebSocket.send does): output is a view. */
  send(data: string | Uint8Array | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  /** Bytes queued in this process but not yet written to the network (a WebSocket has it). */
  readonly bufferedAmount?: number;
}

/** Close code for a viewer dropped for reading too slowly (application range 4000–4999). */
export const SLOW_VIEWER_CLOSE_CODE = 4008;

/** Handlers to call from the socket's message and close events. */
export interface SocketBridge {
  onMessage(data: string | ArrayBuffer | Uint8Array | Blob): void;
  onClose(): void;
  /** Why the bridge dropped its viewer (its unread backlog outgrew the cap), else null. */
  readonly dropReason: string | null;
}

/** How a socket takes part in a session. */
export interface SocketBridgeOptions {
  /** Unique per session; a random UUID by default. */
  viewerId?: string;
  /** This viewer may never send input. */
  readOnly?: boolean;
  /** Asked on every input: consoles accept typing only while the user has switched it on. */
  allowInput?: () => boolean;
  /** Initial size; 0 means "does not constrain the pty until the first resize". */
  cols?: number;
  rows?: number;
  /** Close the socket (code 1000) after sending the exit message (default true). */
  closeOnExit?: boolean;
  /**
   * Ack interval asked of the client (default 256 KiB: one ack and one gathered frame per
   * 256 KiB keep per-message costs low on both ends; a keystroke's echo still goes out at once).
   */
  ackEveryBytes?: number;
  /**
   * Output queued for the socket but not yet read off the network, above which the viewer is
   * dropped (default 4 MiB). Acks cannot lift it: a client may ack bytes it never reads.
   */
  maxUnreadBytes?: number;
}

/** The ack interval a bridge asks of its clients unless told otherwise. */
export const BRIDGE_ACK_EVERY_BYTES = 256 * 1024;

/** Default cap on a viewer's unread output. */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/**
 * Connects a socket to a session using the terminal protocol: hello, scrollback replay, binary
 * output, input/resize/ack/pause/resume from the client, and the exit message.
 */
export function bridgeSocket(
  session: PtySession,
  sink: SocketSink,
  options: SocketBridgeOptions = {},
): SocketBridge {
  const id = options.viewerId ?? crypto.randomUUID();
  const readOnly = options.readOnly ?? false;
  const allowInput = options.allowInput ?? (() => true);
  const maxUnread = options.maxUnreadBytes ?? MAX_UNREAD_BYTES;
  let open = true;
  let refusalSent = false;
  let pending: Promise<void> | null = null;
  let dropReason: string | null = null;
  let detach = () => {};

  /** Ends this viewer for good; the client may reconnect and gets the scrollback again. */
  const drop = (reason: string) => {
    dropReason = reason;
    open = false;
    output.dispose();
    detach();
    try {
      sink.close(SLOW_VIEWER_CLOSE_CODE, reason);
    } catch {
      // already closed
    }
  };

  const send = (data: string | Uint8Array) => {
    if (!open) return;
    try {
      sink.send(data);
    } catch {
      open = false; // the socket is gone; its close event will detach us
      return;
    }
    const unread = sink.bufferedAmount ?? 0;
    if (unread > maxUnread) {
      drop(
        `viewer too slow: ${Math.round(unread / 1024)} KiB of output unread; reconnect to resume`,
      );
    }
  };
  const ackEveryBytes = options.ackEveryBytes ?? BRIDGE_ACK_EVERY_BYTES;
  // One ack interval goes out at once; beyond it output gathers until the next ack (the client
  // owes one then, so nothing waits forever): under a flood, one frame per ack.
  const output = new OutputBatcher((frame) => send(frame), {
    inFlightBytes: ackEveryBytes,
    maxFrameBytes: Math.max(256 * 1024, 2 * ackEveryBytes),
  });
  const control = (message: TerminalServerMessage) => {
    output.flush(); // keep output and control messages in order
    send(encodeServerMessage(message));
  };

  const input = (bytes: Uint8Array | string) => {
    if (readOnly || !allowInput()) {
      if (!refusalSent) control({ type: "error", message: "Input is switched off for this view" });
      refusalSent = true;
      return;
    }
    refusalSent = false;
    try {
      session.write(bytes);
    } catch (error) {
      control({ type: "error", message: error instanceof Error ? error.message : String(error) });
    }
  };

  const handle = (message: TerminalClientMessage) => {
    switch (message.type) {
      case "input":
        return input(message.data);
      case "resize":
        return session.resizeViewer(id, message.cols, message.rows);
      case "ack":
        session.ack(id, message.bytes);
        return output.acked(message.bytes);
      case "pause":
      case "resume":
        return session.setViewerPaused(id, message.type === "pause");
    }
  };

  const handleFrame = (data: string | Uint8Array) => {
    if (!open) return;
    if (typeof data !== "string") {
      if (data.length > TERMINAL_LIMITS.maxInputLength) {
        return control({ type: "error", message: `Input frame too large (${data.length} bytes)` });
      }
      return input(data);
    }
    const decoded = decodeClientMessage(data);
    if (decoded.ok) handle(decoded.message);
    else control({ type: "error", message: `Bad message: ${decoded.error}` });
  };

  control({
    type: "hello",
    protocol: TERMINAL_PROTOCOL_VERSION,
    readOnly,
    cols: session.size.cols,
    rows: session.size.rows,
    ackEveryBytes,
  });
  detach = session.attach({
    id,
    cols: options.cols ?? 0,
    rows: options.rows ?? 0,
    send: (chunk) => output.push(chunk),
    onResize: (cols, rows) => control({ type: "resize", cols, rows }),
    onDrop: (reason) => drop(reason),
    onExit: (status) => {
      // What the batcher still holds for acks is the app's last output: it goes before the exit.
      output.flush();
      control({ type: "exit", code: status.code, signal: status.signal });
      if (options.closeOnExit ?? true) {
        open = false;
        output.dispose();
        try {
          sink.close(1000, "process exited");
        } catch {
          // already closed
        }
      }
    },
  });
  if (dropReason !== null) detach(); // dropped during the scrollback replay

  return {
    onMessage(data) {
      if (data instanceof Blob || pending !== null) {
        // Blobs are read asynchronously; later frames wait so input keeps its order.
        const bytes = data instanceof Blob
          ? data.arrayBuffer().then((buffer) => new Uint8Array(buffer))
          : Promise.resolve(data);
        const run = (pending ?? Promise.resolve()).then(() => bytes).then(
          (frame) => handleFrame(frame instanceof ArrayBuffer ? new Uint8Array(frame) : frame),
          () => control({ type: "error", message: "Could not read a binary frame" }),
        );
        const tracked: Promise<void> = run.finally(() => {
          if (pending === tracked) pending = null;
        });
        pending = tracked;
        return;
      }
      handleFrame(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    },
    onClose() {
      open = false;
      output.dispose();
      detach();
    },
    get dropReason() {
      return dropReason;
    },
  };
}
