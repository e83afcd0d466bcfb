/**
 * The browser's live terminal views, by terminal id. They outlive the Preact components
 * that show them, so switching tools never loses a terminal or its history.
 */
import { type SessionState, XtermSession } from "./xterm_session.ts";

type Listener = (id: string, state: SessionState, detail: string | null) => void;

const sessions = new Map<string, XtermSession>();
const listeners = new Set<Listener>();

/** The view of terminal `id` of `instanceId`, created and connected on first use. */
export function terminalSession(id: string, instanceId: number): XtermSession {
  let session = sessions.get(id);
  if (!session) {
    session = new XtermSession({
      onState: (state, detail) => {
        for (const listener of listeners) listener(id, state, detail);
      },
    });
    sessions.set(id, session);
    session.connect(
      `/api/instances/${instanceId}/terminal?terminal=${encodeURIComponent(id)}`,
    );
  }
  return session;
}

/** Closes and forgets the view of terminal `id`. */
export function disposeTerminal(id: string): void {
  sessions.get(id)?.dispose();
  sessions.delete(id);
}

/** Marks the view of a terminal that no longer exists on the server as ended. */
export function endTerminal(id: string, reason: string): void {
  sessions.get(id)?.end(reason);
}

/** Reattaches a view whose retries ran out while AiKore was unreachable. */
export function reviveTerminal(id: string): void {
  sessions.get(id)?.revive();
}

/** Disposes views whose tabs are gone. */
export function keepOnly(ids: ReadonlySet<string>): void {
  for (const id of [...sessions.keys()]) if (!ids.has(id)) disposeTerminal(id);
}

/** Subscribes to connection states of every terminal view. */
export function onTerminalState(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
