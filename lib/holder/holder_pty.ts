import { type ExitStatus, type Pty, type PtyInputWriter, ptyInputWriter } from "../pty/mod.ts";
import type { AttachOptions } from "./holder_connection.ts";
import type { HolderStatus } from "./protocol.ts";
import type { HolderHandle } from "./spawn_holder.ts";
import { takeHolderInput } from "./take_input.ts";

/** A held app seen as a lib/pty Pty, plus what only a holder knows. */
export interface HolderPty extends Pty {
  /** The holder's status when the attach was accepted (offsets, exit if it already ended). */
  readonly attached: HolderStatus;
  /** Output offset just past the last byte delivered (where a later attach can resume). */
  readonly offset: number;
}

/**
 * Attaches to a holder and presents it as a `Pty`, so that PtySession (scrollback, viewers,
 * flow control) works unchanged over an app that outlives AiKore. Differences from a local
 * pty: `close()` only detaches (the app keeps running under its holder), `kill()` signals the
 * app's session through the holder, and `exited` resolves with an unknown status (both null)
 * if the holder disappears without reporting an exit. Output that arrives before the first
 * `onData` listener is kept for it. Input is written straight to the app's terminal, whose
 * master the holder hands over (`takeHolderInput`): a keystroke wakes no holder on its way in
 * (0.04–0.06 ms of echo here). A holder that cannot hand it over gets input frames instead.
 * The copy is closed when the app ends, the holder goes or we detach, so that it never keeps
 * the terminal open (and the app's session un-hung-up) after its holder closed it.
 */
export async function attachHolderPty(
  handle: HolderHandle,
  options: Omit<AttachOptions, "autoAck"> = {},
): Promise<HolderPty> {
  const connection = await handle.connect();
  const listeners: ((chunk: Uint8Array) => void)[] = [];
  let early: Uint8Array[] | null = [];
  let offset = 0;
  let detached = false;
  let reportExit: (status: ExitStatus) => void = () => {};
  const exited = new Promise<ExitStatus>((resolve) => (reportExit = resolve));
  // The chunk is a view of the connection's read buffer: only what waits for a listener is copied.
  const deliver = (chunk: Uint8Array) => {
    if (early) early.push(chunk.slice());
    else for (const listener of listeners) listener(chunk);
  };
  const attached = await connection.attach(options, {
    onOutput(chunk, at) {
      offset = at + chunk.length;
      deliver(chunk);
    },
    onExit: (exit) => reportExit({ code: exit.code, signal: exit.signal }),
  });
  const ended = connection.closed.then(() => {
    if (!detached) reportExit({ code: null, signal: null }); // the holder vanished
  });
  const ignore = () => {}; // a broken connection ends `closed`, which reports it
  const direct = attached.exit === null ? await directInput(handle.socketPath) : null;
  if (direct !== null) {
    const release = () => direct.close();
    exited.then(release, release);
    ended.then(release, release);
  }
  return {
    pid: handle.appPid,
    ttyPath: `holder:${handle.dir}`,
    attached,
    get offset() {
      return offset;
    },
    write: direct === null
      ? (data) => void connection.write(data).catch(ignore)
      : (data) => direct.write(data),
    resize: (cols, rows) => void connection.resize(cols, rows).catch(ignore),
    pause: () => void connection.setPaused(true).catch(ignore),
    resume: () => void connection.setPaused(false).catch(ignore),
    onData(listener) {
      listeners.push(listener);
      const pending = early ?? [];
      early = null;
      for (const chunk of pending) listener(chunk);
    },
    exited,
    ended: Promise.race([exited.then(() => {}), ended]),
    kill: (signal = "SIGTERM") => void connection.signal(signal, "session").catch(ignore),
    close() {
      detached = true;
      direct?.close();
      connection.close();
      return ended;
    },
  };
}

async function directInput(socketPath: string): Promise<PtyInputWriter | null> {
  const fd = await takeHolderInput(socketPath);
  return fd === null ? null : ptyInputWriter(fd);
}
