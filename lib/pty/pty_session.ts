import { ByteRing } from "./byte_ring.ts";
import { settleWithin } from "./settle_within.ts";
import type { ExitStatus, Pty } from "./pty.ts";

/** One consumer of a session's output: a terminal socket, a console viewer, a test. */
export interface PtyViewer {
  id: string;
  /** Output; `chunk` may be a view valid only during the call (copy what you keep). */
  send(chunk: Uint8Array): void;
  onExit(status: ExitStatus): void;
  /**
   * The session detached this viewer because it stopped taking output (see `stalledViewerMs`);
   * `reason` says so for a person. Without it the viewer is only told the exit.
   */
  onDrop?(reason: string): void;
  /** Called when the pty's effective size changes (the smallest viewer wins). */
  onResize?(cols: number, rows: number): void;
  cols: number;
  rows: number;
}

/** Tuning of a PtySession; every field has a default. */
export interface PtySessionOptions {
  /** Bytes of output kept for replay on attach (default 1 MiB). */
  scrollbackBytes?: number;
  /** Unacknowledged bytes at which a viewer counts as slow (default 1 MiB). */
  highWaterBytes?: number;
  /**
   * Unacknowledged bytes below which a slow viewer is caught up again (default 512 KiB). Must
   * exceed the client's ack interval, or a viewer could wait for an ack that never comes.
   */
  lowWaterBytes?: number;
  /**
   * What a slow viewer does: "pause" stops reading the pty (the program blocks; right for an
   * interactive terminal), "drop" skips that viewer and later resyncs it from the scrollback
   * (right for an instance console, whose program must never wait for a browser).
   */
  slowViewer?: "pause" | "drop";
  /**
   * After the leader exits the pty is read to its end (every holder of the slave closed it).
   * Processes left behind that keep the terminal open end that drain once no output came for
   * `exitDrainMs` (default 500 ms), or `exitDrainMaxMs` after the exit (default 2 s) if they
   * keep writing.
   */
  exitDrainMs?: number;
  exitDrainMaxMs?: number;
  /**
   * The session waits on a viewer's acks while it holds the pty ("pause" mode: reading stopped
   * for it) and, after the exit, while it is owed output: a viewer that missed output ("drop"
   * mode) gets the exit only once it caught up (acks bring it under the low water mark, then
   * the tail is replayed), however slowly it reads. A viewer waited on whose acks make no
   * progress for this long (default 10 s) is dropped with a reason; it may reconnect.
   * A viewer that asked for a pause (its user scrolled back) is never waited on.
   */
  stalledViewerMs?: number;
  /** Close the pty (hang up what is left of its session) once the exit is reported (default true). */
  closeOnExit?: boolean;
}

interface ViewerState {
  viewer: PtyViewer;
  cols: number;
  rows: number;
  sent: number;
  acked: number;
  clientPaused: boolean;
  lagging: boolean;
  /** The program exited and this viewer has not been given all its output yet. */
  owedExit: boolean;
  /** Since when the session waits on its acks (performance.now(); moved by each ack), or null. */
  waitingSince: number | null;
}

/** Clears the screen and scrollback before a resync replay (ED 2, ED 3, cursor home). */
const RESYNC_PREFIX = new TextEncoder().encode("\x1b[H\x1b[2J\x1b[3J");

/**
 * A pty shared by many viewers: bounded scrollback replayed on attach, resize to the smallest
 * viewer, ack-based flow control with high/low water marks, and one exit notification.
 */
export class PtySession {
  readonly pid: number;
  /** Resolves once the leader exited and its output was drained (or the drain timed out). */
  readonly exited: Promise<ExitStatus>;
  #pty: Pty;
  #ring: ByteRing;
  #viewers = new Map<string, ViewerState>();
  #listeners = new Set<(chunk: Uint8Array) => void>();
  #high: number;
  #low: number;
  #mode: "pause" | "drop";
  #ptyPaused = false;
  #leaderExited = false;
  #status: ExitStatus | null = null;
  #cols = 0;
  #rows = 0;
  #chunksRead = 0;
  #stalledMs: number;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(pty: Pty, options: PtySessionOptions = {}) {
    this.#pty = pty;
    this.pid = pty.pid;
    this.#ring = new ByteRing(options.scrollbackBytes ?? 1024 * 1024);
    // Above the bridge's 256 KiB ack interval with room for two frames in flight.
    this.#high = options.highWaterBytes ?? 1024 * 1024;
    this.#low = Math.min(options.lowWaterBytes ?? 512 * 1024, this.#high);
    this.#mode = options.slowViewer ?? "pause";
    this.#stalledMs = options.stalledViewerMs ?? 10_000;
    pty.onData((chunk) => this.#onChunk(chunk));
    this.exited = pty.exited.then(async (status) => {
      this.#leaderExited = true;
      // What the leader wrote is bounded by the kernel's buffer: read it all, now.
      this.#updateFlow();
      await this.#drain(options.exitDrainMs ?? 500, options.exitDrainMaxMs ?? 2000);
      this.#status = status;
      for (const state of [...this.#viewers.values()]) this.#finish(state);
      if (options.closeOnExit ?? true) await pty.close();
      return status;
    });
  }

  /** Reads until the end of output, or until processes left behind go quiet (or too long). */
  async #drain(quietMs: number, maxMs: number): Promise<void> {
    const deadline = performance.now() + maxMs;
    for (;;) {
      const seen = this.#chunksRead;
      const left = deadline - performance.now();
      if (left <= 0 || await settleWithin(this.#pty.ended, Math.min(quietMs, left))) return;
      if (this.#chunksRead === seen) return;
    }
  }

  /** The exit status once `exited` has resolved, else null. */
  get exitStatus(): ExitStatus | null {
    return this.#status;
  }

  get viewerCount(): number {
    return this.#viewers.size;
  }

  /** True while flow control holds the pty's read loop. */
  get readPaused(): boolean {
    return this.#ptyPaused;
  }

  /** The pty's current size as set by the viewers (0×0 before the first viewer). */
  get size(): { cols: number; rows: number } {
    return { cols: this.#cols, rows: this.#rows };
  }

  /** Adds a viewer, replays the scrollback to it, and returns the function that detaches it. */
  attach(viewer: PtyViewer): () => void {
    if (this.#viewers.has(viewer.id)) {
      throw new Error(`Cannot attach viewer "${viewer.id}": that id is already attached`);
    }
    const state: ViewerState = {
      viewer,
      cols: viewer.cols,
      rows: viewer.rows,
      sent: 0,
      acked: 0,
      clientPaused: false,
      lagging: false,
      owedExit: false,
      waitingSince: null,
    };
    this.#viewers.set(viewer.id, state);
    const replay = this.#ring.snapshot();
    if (replay.length) this.#deliver(state, replay);
    this.#applySize();
    this.#updateFlow();
    if (this.#status !== null) viewer.onExit(this.#status);
    return () => {
      if (this.#viewers.get(viewer.id) !== state) return;
      this.#remove(state);
    };
  }

  /** A viewer reports that it has processed `bytes` more bytes of output. */
  ack(viewerId: string, bytes: number): void {
    const state = this.#viewers.get(viewerId);
    if (!state || !Number.isFinite(bytes) || bytes <= 0) return;
    const acked = Math.min(state.sent, state.acked + Math.trunc(bytes));
    if (acked > state.acked && state.waitingSince !== null) state.waitingSince = performance.now();
    state.acked = acked;
    this.#updateFlow();
  }

  /** A viewer asks to stop (or restart) receiving output, e.g. its user scrolled back. */
  setViewerPaused(viewerId: string, paused: boolean): void {
    const state = this.#viewers.get(viewerId);
    if (!state) return;
    state.clientPaused = paused;
    this.#updateFlow();
  }

  resizeViewer(viewerId: string, cols: number, rows: number): void {
    const state = this.#viewers.get(viewerId);
    if (!state) return;
    state.cols = cols;
    state.rows = rows;
    this.#applySize();
  }

  /** Sends input to the program (ignored after it exited). */
  write(data: Uint8Array | string): void {
    if (!this.#leaderExited) this.#pty.write(data);
  }

  /**
   * Every output byte, never throttled by flow control (for log files and health checks). A
   * chunk is a view valid only during the call: a listener that keeps it must copy it.
   */
  onOutput(listener: (chunk: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The scrollback (the last `maxBytes` bytes, all by default). */
  scrollback(maxBytes?: number): Uint8Array {
    return this.#ring.snapshot(maxBytes);
  }

  /** Signals every process of the pty's session. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    this.#pty.kill(signal);
  }

  /** Hangs up the session and releases the pty. */
  close(): Promise<void> {
    return this.#pty.close();
  }

  #onChunk(chunk: Uint8Array): void {
    this.#chunksRead++;
    this.#ring.push(chunk);
    for (const listener of this.#listeners) listener(chunk);
    for (const state of this.#viewers.values()) {
      if (this.#mode === "drop" && (state.lagging || state.clientPaused)) {
        state.lagging = true;
        continue;
      }
      this.#deliver(state, chunk);
    }
    this.#updateFlow();
  }

  #deliver(state: ViewerState, chunk: Uint8Array): void {
    state.sent += chunk.length;
    try {
      state.viewer.send(chunk);
    } catch {
      // A viewer whose socket broke is detached by its own close handler; never stop the pump.
    }
  }

  #updateFlow(): void {
    if (this.#mode === "drop") {
      for (const state of this.#viewers.values()) this.#updateDropViewer(state);
      return;
    }
    let worst = 0;
    let clientPaused = false;
    for (const state of this.#viewers.values()) {
      worst = Math.max(worst, state.sent - state.acked);
      clientPaused ||= state.clientPaused;
    }
    if (this.#leaderExited) this.#setPtyPaused(false);
    else if (clientPaused || worst > this.#high) this.#setPtyPaused(true);
    else if (worst <= this.#low) this.#setPtyPaused(false);
    let changed = false;
    for (const state of this.#viewers.values()) {
      const holds = this.#ptyPaused && !state.clientPaused && state.sent - state.acked > this.#low;
      if (holds === (state.waitingSince !== null) || state.owedExit) continue;
      state.waitingSince = holds ? performance.now() : null;
      changed = true;
    }
    if (changed) this.#armStallCheck();
  }

  #updateDropViewer(state: ViewerState): void {
    const unacked = state.sent - state.acked;
    if (!state.lagging && unacked > this.#high) state.lagging = true;
    // After the exit a scrolled-back viewer still gets the end: nothing more will come.
    const held = state.clientPaused && this.#status === null;
    if (state.lagging && !held && unacked <= this.#low) {
      state.lagging = false;
      // Replay a tail that fits in the window, after clearing what the viewer shows.
      const tail = this.#ring.snapshot(Math.max(1, this.#high - this.#low));
      const replay = new Uint8Array(RESYNC_PREFIX.length + tail.length);
      replay.set(RESYNC_PREFIX);
      replay.set(tail, RESYNC_PREFIX.length);
      this.#deliver(state, replay);
      if (state.owedExit) this.#finish(state);
    }
  }

  /** Tells a viewer the exit once it has been given all the output, else waits for its acks. */
  #finish(state: ViewerState): void {
    const status = this.#status;
    if (status === null || this.#viewers.get(state.viewer.id) !== state) return;
    if (state.lagging) {
      state.owedExit = true;
      state.waitingSince = performance.now();
      this.#updateDropViewer(state); // it may be caught up already
      this.#armStallCheck();
      return;
    }
    state.owedExit = false;
    state.waitingSince = null;
    state.viewer.onExit(status);
  }

  /** One timer for every viewer the session waits on. */
  #armStallCheck(): void {
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    let next = Infinity;
    for (const state of this.#viewers.values()) {
      if (state.waitingSince !== null) next = Math.min(next, state.waitingSince + this.#stalledMs);
    }
    if (next === Infinity) return;
    this.#stallTimer = setTimeout(() => {
      this.#stallTimer = undefined;
      const now = performance.now();
      for (const state of [...this.#viewers.values()]) {
        const since = state.waitingSince;
        if (since !== null && now - since >= this.#stalledMs) this.#dropStalled(state);
      }
      this.#armStallCheck();
    }, Math.max(0, next - performance.now()));
  }

  #dropStalled(state: ViewerState): void {
    this.#remove(state);
    const unread = Math.round((state.sent - state.acked) / 1024);
    // Short enough for a WebSocket close reason (123 bytes at most).
    const seconds = +(this.#stalledMs / 1000).toFixed(1);
    const reason = state.owedExit
      ? `viewer stalled: no ack for ${seconds} s after the program exited (${unread} KiB ` +
        `unread); reconnect to see the end`
      : `viewer stalled: no ack for ${seconds} s while the terminal waited for it (${unread} ` +
        `KiB unread); reconnect to resume`;
    try {
      if (state.viewer.onDrop) state.viewer.onDrop(reason);
      else if (this.#status !== null) state.viewer.onExit(this.#status);
    } catch {
      // a broken viewer is gone either way
    }
  }

  #remove(state: ViewerState): void {
    this.#viewers.delete(state.viewer.id);
    if (state.waitingSince !== null) this.#armStallCheck();
    this.#applySize();
    this.#updateFlow();
  }

  #setPtyPaused(paused: boolean): void {
    if (paused === this.#ptyPaused) return;
    this.#ptyPaused = paused;
    if (paused) this.#pty.pause();
    else this.#pty.resume();
  }

  #applySize(): void {
    let cols = Infinity;
    let rows = Infinity;
    for (const state of this.#viewers.values()) {
      if (state.cols > 0) cols = Math.min(cols, state.cols);
      if (state.rows > 0) rows = Math.min(rows, state.rows);
    }
    if (!Number.isFinite(cols) || !Number.isFinite(rows)) return;
    if (cols === this.#cols && rows === this.#rows) return;
    this.#cols = cols;
    this.#rows = rows;
    if (!this.#leaderExited) this.#pty.resize(cols, rows);
    for (const state of this.#viewers.values()) state.viewer.onResize?.(cols, rows);
  }
}
