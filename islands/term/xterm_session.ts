/**
 * An xterm.js view on a terminal-protocol WebSocket (console or shell): binary output with
 * acks from xterm's write callback (flow control), input and resize, hello/exit/error. Loaded
 * lazily (its chunk holds xterm.js) when a console or terminal is first shown.
 */
import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { Terminal } from "@xterm/xterm";
import {
  AckCounter,
  decodeServerMessage,
  encodeClientMessage,
  type TerminalClientMessage,
} from "../../lib/shared/terminal_protocol.ts";
import { XTERM_OPTIONS } from "./xterm_theme.ts";

export type SessionState = "connecting" | "open" | "exited" | "closed" | "ended";

/** Reattach attempts after a dropped connection before the view shows "closed". */
const MAX_RETRIES = 6;

export interface XtermSessionOptions {
  /** Called on every state change, with the exit code when the process ended. */
  onState?: (state: SessionState, detail: string | null) => void;
  /** Console follow mode: true keeps the newest output in view, false locks the scroll. */
  follow?: () => boolean;
}

function socketUrl(path: string): string {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/** A terminal view bound to at most one socket at a time. */
export class XtermSession {
  readonly element = document.createElement("div");
  readonly term = new Terminal(XTERM_OPTIONS);
  readonly search = new SearchAddon();
  readonly #fit = new FitAddon();
  #socket: WebSocket | null = null;
  #acks = new AckCounter();
  #queued = 0;
  #idleAck: ReturnType<typeof setTimeout> | undefined;
  #opened = false;
  #observer = new ResizeObserver(() => this.fit());
  #state: SessionState = "closed";
  #lockedLine: number | null = null;
  #path: string | null = null;
  #lastPath: string | null = null;
  #retries = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #attached = false;

  constructor(readonly options: XtermSessionOptions = {}) {
    this.element.className = "xterm-host";
    this.term.loadAddon(this.#fit);
    this.term.loadAddon(this.search);
    this.term.onData((data) => this.#send({ type: "input", data }));
    this.term.onBinary((data) => this.#send({ type: "input", data }));
    this.term.onResize(({ cols, rows }) => this.#send({ type: "resize", cols, rows }));
  }

  get state(): SessionState {
    return this.#state;
  }

  /** Shows the view inside `container` (moving it there if it was elsewhere). */
  mount(container: HTMLElement): void {
    if (this.element.parentElement !== container) container.append(this.element);
    if (!this.#opened) {
      this.term.open(this.element);
      this.#opened = true;
    }
    this.#observer.disconnect();
    this.#observer.observe(container);
    this.fit();
  }

  fit(): void {
    if (!this.#opened || !this.element.isConnected || this.element.clientWidth === 0) return;
    try {
      this.#fit.fit();
    } catch {
      // not laid out yet; the next resize fits
    }
  }

  /**
   * Connects to the socket at `path` (closing any previous one). A connection that drops
   * (the gateway reloaded, the network blinked) is reattached by itself; the server replays
   * the scrollback, so the view is redrawn from it.
   */
  connect(path: string): void {
    this.disconnect();
    this.#path = path;
    this.#lastPath = path;
    this.#retries = 0;
    this.#attached = false;
    this.#open(path);
  }

  #open(path: string): void {
    const socket = new WebSocket(socketUrl(path));
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    this.#setState("connecting", null);
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      if (typeof event.data === "string") this.#control(event.data);
      else this.#output(new Uint8Array(event.data as ArrayBuffer));
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#state === "exited" || this.#state === "ended") return;
      const path = this.#path;
      if (path && this.#retries < MAX_RETRIES) {
        this.#retries++;
        this.#setState("connecting", "reconnecting");
        const delay = Math.min(5000, 250 * 2 ** this.#retries);
        this.#retryTimer = setTimeout(() => this.#open(path), delay);
        return;
      }
      this.#setState("closed", event.reason || `connection closed (${event.code})`);
    };
  }

  /** The terminal no longer exists on the server: stop reattaching and say why. */
  end(reason: string): void {
    if (this.#state === "ended") return;
    this.disconnect();
    this.term.write(`\r\n\x1b[33m[terminal ended: ${reason}]\x1b[0m\r\n`);
    this.#setState("ended", reason);
  }

  /** Reattaches after the retries ran out (the server is back and still has the terminal). */
  revive(): void {
    if (this.#state !== "closed" || !this.#lastPath) return;
    this.connect(this.#lastPath);
  }

  disconnect(): void {
    clearTimeout(this.#retryTimer);
    this.#path = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
  }

  dispose(): void {
    this.disconnect();
    clearTimeout(this.#idleAck);
    this.#observer.disconnect();
    this.term.dispose();
    this.element.remove();
  }

  #setState(state: SessionState, detail: string | null): void {
    this.#state = state;
    this.options.onState?.(state, detail);
  }

  #send(message: TerminalClientMessage): void {
    if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(encodeClientMessage(message));
    }
  }

  #control(text: string): void {
    const decoded = decodeServerMessage(text);
    if (!decoded.ok) return;
    const message = decoded.message;
    switch (message.type) {
      case "hello":
        // A reattach replays the scrollback: start from a clean screen so nothing doubles.
        if (this.#attached) this.term.reset();
        this.#attached = true;
        this.#retries = 0;
        this.#acks = new AckCounter(message.ackEveryBytes);
        this.term.options.disableStdin = message.readOnly;
        this.#setState("open", message.readOnly ? "read-only" : null);
        this.#send({ type: "resize", cols: this.term.cols, rows: this.term.rows });
        return;
      case "exit": {
        const how = message.signal !== null ? `signal ${message.signal}` : `code ${message.code}`;
        this.term.write(`\r\n\x1b[2m[process exited with ${how}]\x1b[0m\r\n`);
        this.#setState("exited", how);
        return;
      }
      case "error":
        this.term.write(`\r\n\x1b[31m[${message.message}]\x1b[0m\r\n`);
        return;
      default:
        return; // the pty follows the smallest viewer; this view keeps its own size
    }
  }

  #keepScroll(): void {
    const follow = this.options.follow?.();
    if (follow === undefined) return;
    if (follow) {
      this.#lockedLine = null;
      this.term.scrollToBottom();
      return;
    }
    this.#lockedLine ??= this.term.buffer.active.viewportY;
    this.term.scrollToLine(this.#lockedLine);
  }

  #output(bytes: Uint8Array): void {
    this.#queued++;
    const socket = this.#socket;
    this.term.write(bytes, () => {
      this.#queued--;
      if (this.#socket !== socket) return;
      const ack = this.#acks.processed(bytes.length);
      if (ack) this.#send(ack);
      this.#keepScroll();
      if (this.#queued === 0) {
        clearTimeout(this.#idleAck);
        this.#idleAck = setTimeout(() => {
          const rest = this.#acks.flush();
          if (rest) this.#send(rest);
        }, 100);
      }
    });
  }
}
