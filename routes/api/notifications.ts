import type { AuditRepository } from "../../lib/db/mod.ts";
import { actorOf, type ApiRouter, readJson } from "../../lib/http/mod.ts";
import type { Notifier } from "../../lib/instances/mod.ts";
import { notificationUpdateSchema } from "../../lib/shared/notification_schema.ts";

export interface NotificationRouteDeps {
  notifier: Notifier;
  audit: AuditRepository;
}

/**
 * Outcome notifications (Settings): `GET` and `PUT /api/system/notifications` (the webhook, its
 * format, and which outcomes are told), `POST /api/system/notifications/test` (one example now).
 */
export function registerNotificationRoutes(router: ApiRouter, deps: NotificationRouteDeps): void {
  router
    .route(
      {
        method: "get",
        path: "/api/system/notifications",
        summary:
          "Outcome notifications: the webhook (by its origin), format, events, last delivery",
        tag: "system",
      },
      (c) => c.json(deps.notifier.view()),
    )
    .route(
      {
        method: "put",
        path: "/api/system/notifications",
        summary: "Sets the webhook (null: off), its format and the outcomes told",
        tag: "system",
        body: notificationUpdateSchema,
      },
      async (c) => {
        const change = await readJson(c, notificationUpdateSchema);
        const saved = deps.notifier.update(change);
        deps.audit.record({
          ...actorOf(c),
          action: "notifications.update",
          target: saved.url === null ? "off" : new URL(saved.url).host,
          detail: { format: saved.format, events: saved.events },
        });
        return c.json(deps.notifier.view());
      },
    )
    .route(
      {
        method: "post",
        path: "/api/system/notifications/test",
        summary: "Sends an example notification now and says how the webhook answered",
        tag: "system",
      },
      async (c) => c.json(await deps.notifier.sendTest()),
    );
}
