import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { LiveConnections } from "../../lib/auth/mod.ts";
import type { InstanceRecord } from "../../lib/db/mod.ts";
import type { ApiRouter, AppEnv } from "../../lib/http/mod.ts";
import {
  type BusEvent,
  type EventBus,
  INSTANCE_EVENT,
  type InstanceService,
} from "../../lib/instances/mod.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";

/** Live statistics that the event stream forwards while a client asks for them. */
export interface StatsFeed {
  subscribe(listener: (stats: unknown) => void): () => void;
}

export interface EventRouteDeps {
  bus: EventBus;
  service: InstanceService;
  present: (record: InstanceRecord, c: Context<AppEnv>) => InstanceDto;
  stats: StatsFeed | null;
  /** Ends every stream when AiKore shuts down. */
  lifetime: AbortSignal;
  /** Ends a stream when the session or token that opened it ends. */
  live?: LiveConnections;
  heartbeatMs?: number;
}

function lastEventIdOf(c: Context<AppEnv>): number | null {
  const text = c.req.header("last-event-id") ?? c.req.query("lastEventId");
  return text && /^\d{1,15}$/.test(text) ? Number(text) : null;
}

/**
 * `GET /api/events`: server-sent events for every status and configuration change, with ids
 * so a reconnecting browser resumes without gaps (or gets a fresh snapshot when too far behind),
 * plus `stats` events at 1 Hz when `?stats=1` (sampled at that rate only while someone watches).
 */
export function registerEventRoutes(router: ApiRouter, deps: EventRouteDeps): void {
  router.route(
    {
      method: "get",
      path: "/api/events",
      summary: "Server-sent events: snapshot, instance, instance-removed, order, stats",
      tag: "events",
      query: { stats: "1 to receive stats events", lastEventId: "resume after this id" },
    },
    (c) => {
      const wantStats = c.req.query("stats") === "1";
      const resumeFrom = lastEventIdOf(c);
      return streamSSE(c, async (stream) => {
        const queue: BusEvent[] = [];
        let wake: (() => void) | null = null;
        const notify = () => {
          wake?.();
          wake = null;
        };
        const unsubscribe = deps.bus.subscribe((event) => {
          queue.push(event);
          notify();
        });
        let latestStats: unknown = null;
        const unsubscribeStats = wantStats && deps.stats
          ? deps.stats.subscribe((stats) => {
            latestStats = stats;
            notify();
          })
          : () => {};
        let closed = deps.lifetime.aborted;
        const close = () => {
          closed = true;
          notify();
        };
        stream.onAbort(close);
        const forget = deps.live?.add(c.get("principal")?.credential, close) ?? (() => {});
        deps.lifetime.addEventListener("abort", close, { once: true });
        const heartbeat = setInterval(notify, deps.heartbeatMs ?? 15_000);
        const toData = (event: BusEvent) =>
          event.type === INSTANCE_EVENT
            ? JSON.stringify(deps.present(event.data as InstanceRecord, c))
            : JSON.stringify(event.data);
        try {
          let sentUpTo: number;
          const missed = resumeFrom === null ? null : deps.bus.since(resumeFrom);
          if (missed === null) {
            sentUpTo = deps.bus.lastId;
            await stream.writeSSE({
              event: "snapshot",
              id: String(sentUpTo),
              data: JSON.stringify({
                instances: deps.service.list().map((r) => deps.present(r, c)),
                order: deps.service.displayOrder(),
              }),
            });
          } else {
            for (const event of missed) {
              await stream.writeSSE({
                event: event.type,
                id: String(event.id),
                data: toData(event),
              });
            }
            sentUpTo = missed.at(-1)?.id ?? resumeFrom ?? 0;
          }
          while (!closed) {
            while (queue.length > 0) {
              const event = queue.shift() as BusEvent;
              if (event.id <= sentUpTo) continue;
              sentUpTo = event.id;
              await stream.writeSSE({
                event: event.type,
                id: String(event.id),
                data: toData(event),
              });
            }
            if (latestStats !== null) {
              const stats = latestStats;
              latestStats = null;
              await stream.writeSSE({ event: "stats", data: JSON.stringify(stats) });
            }
            if (closed) break;
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            if (!closed && queue.length === 0 && latestStats === null) {
              await stream.write(": ping\n\n");
            }
          }
        } finally {
          forget();
          deps.lifetime.removeEventListener("abort", close);
          clearInterval(heartbeat);
          unsubscribe();
          unsubscribeStats();
        }
      });
    },
  );
}
