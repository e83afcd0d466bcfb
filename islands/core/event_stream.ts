/**
 * Feeds the store from `GET /api/events?stats=1`. EventSource resumes by itself with
 * Last-Event-ID after a network blip; when the browser gives up (the server answered an error,
 * e.g. after a restart or a logout) this reopens it with `lastEventId`, backing off, and
 * sends the user to the login page when the session has ended. No polling.
 */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import type { SystemStats } from "../../lib/shared/stats.ts";
import type { DashboardStore } from "./dashboard_store.ts";

export interface EventStreamOptions {
  /** The session ended (401). */
  onSessionEnded: () => void;
}

/** Opens the stream; returns the function that closes it. */
export function connectEvents(store: DashboardStore, options: EventStreamOptions): () => void {
  let source: EventSource | null = null;
  let lastId = "";
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const on = (name: string, handle: (data: unknown) => void) => {
    source?.addEventListener(name, (event) => {
      const message = event as MessageEvent<string>;
      if (message.lastEventId) lastId = message.lastEventId;
      handle(JSON.parse(message.data));
    });
  };

  const reopenLater = async () => {
    const session = await fetch("/api/auth/session", { credentials: "same-origin" })
      .then((r) => r.status).catch(() => 0);
    if (session === 401) return options.onSessionEnded();
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(failures, 5));
    failures++;
    timer = setTimeout(open, delay);
  };

  function open() {
    if (closed) return;
    const query = lastId ? `&lastEventId=${encodeURIComponent(lastId)}` : "";
    source = new EventSource(`/api/events?stats=1${query}`);
    source.addEventListener("open", () => {
      failures = 0;
      store.connection.value = "live";
      if (performance.getEntriesByName("aikore:live").length === 0) {
        performance.mark("aikore:live");
      }
    });
    on("snapshot", (data) => {
      const snapshot = data as { instances: InstanceDto[]; order: number[] };
      store.applySnapshot(snapshot.instances, snapshot.order);
    });
    on("instance", (data) => store.applyInstance(data as InstanceDto));
    on("instance-removed", (data) => store.applyRemoved((data as { id: number }).id));
    on("order", (data) => store.applyOrder((data as { order: number[] }).order));
    on("stats", (data) => store.applyStats(data as SystemStats));
    source.addEventListener("error", () => {
      if (closed || !source) return;
      if (source.readyState === EventSource.CLOSED) {
        store.connection.value = "offline";
        source = null;
        void reopenLater();
      } else {
        store.connection.value = "reconnecting";
      }
    });
  }

  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
