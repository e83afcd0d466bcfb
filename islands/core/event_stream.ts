/**
 * Feeds the store from `GET /api/events?stats=1`. One resync path: whenever the stream breaks
 * (network blip, nginx reload, AiKore restarted), this closes it and opens a fresh one without
 * a resume id, so the server always answers with a full snapshot; the caller then reloads the
 * rest (terminals) and says what changed. Backs off while AiKore is unreachable and sends the
 * user to the login page when the session has ended. No polling.
 */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import type { SystemStats } from "../../lib/shared/stats.ts";
import type { DashboardStore } from "./dashboard_store.ts";

/** What a resync found. */
export interface Resync {
  /** Instance changes in words. */
  changes: string[];
  /** The event ids started over: AiKore was restarted while the page was open. */
  restarted: boolean;
}

export interface EventStreamOptions {
  /** The session ended (401). */
  onSessionEnded: () => void;
  /** A snapshot after a broken stream was applied. */
  onResync: (resync: Resync) => void;
}

/** Opens the stream; returns the function that closes it. */
export function connectEvents(store: DashboardStore, options: EventStreamOptions): () => void {
  let source: EventSource | null = null;
  let lastId = 0;
  let failures = 0;
  let broken = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const on = (name: string, handle: (data: unknown, id: number | null) => void) => {
    source?.addEventListener(name, (event) => {
      const message = event as MessageEvent<string>;
      const id = /^\d+$/.test(message.lastEventId) ? Number(message.lastEventId) : null;
      handle(JSON.parse(message.data), id);
      if (id !== null) lastId = id;
    });
  };

  const reopenLater = async () => {
    const session = await fetch("/api/auth/session", { credentials: "same-origin" })
      .then((r) => r.status).catch(() => 0);
    if (closed) return;
    if (session === 401) return options.onSessionEnded();
    store.connection.value = session === 0 || session >= 500 ? "offline" : "reconnecting";
    const delay = Math.min(10_000, 250 * 2 ** Math.min(failures, 6));
    failures++;
    timer = setTimeout(open, delay);
  };

  function open() {
    if (closed) return;
    source = new EventSource("/api/events?stats=1");
    source.addEventListener("open", () => {
      failures = 0;
      if (performance.getEntriesByName("aikore:live").length === 0) {
        performance.mark("aikore:live");
      }
    });
    on("snapshot", (data, id) => {
      const snapshot = data as { instances: InstanceDto[]; order: number[] };
      const changes = store.applySnapshot(snapshot.instances, snapshot.order);
      store.connection.value = "live";
      if (broken) options.onResync({ changes, restarted: id !== null && id < lastId });
      broken = false;
    });
    on("instance", (data) => store.applyInstance(data as InstanceDto));
    on("instance-removed", (data) => store.applyRemoved((data as { id: number }).id));
    on("order", (data) => store.applyOrder((data as { order: number[] }).order));
    on("stats", (data) => store.applyStats(data as SystemStats));
    source.addEventListener("error", () => {
      if (closed || !source) return;
      // Never let EventSource resume by itself: its Last-Event-ID may belong to an AiKore
      // that no longer runs. A fresh stream starts with a full snapshot.
      source.close();
      source = null;
      broken = true;
      store.connection.value = "reconnecting";
      void reopenLater();
    });
  }

  open();
  return () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
}
