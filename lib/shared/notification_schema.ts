/** The body of `PUT /api/system/notifications` (server only: zod stays out of the pages). */
import { z } from "zod";
import { NOTICE_EVENTS, WEBHOOK_FORMATS, webhookUrlProblem } from "./notification_settings.ts";

/** `PUT /api/system/notifications`: `url` null turns notifications off; omitted keeps it. */
export const notificationUpdateSchema = z.strictObject({
  url: z.string().superRefine((value, ctx) => {
    const reason = webhookUrlProblem(value);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  }).nullable().optional(),
  format: z.enum(WEBHOOK_FORMATS).optional(),
  events: z.array(z.enum(NOTICE_EVENTS)).max(NOTICE_EVENTS.length).optional(),
});
export type NotificationUpdate = z.infer<typeof notificationUpdateSchema>;
