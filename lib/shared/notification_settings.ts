/**
 * Outcome notifications: what a user is told when an instance finishes, fails or stalls, and
 * where (a webhook). The contract of `GET/PUT /api/system/notifications`, shared by the server
 * and the settings page (which must not load zod: it probes `eval`, which the page's CSP refuses;
 * the request schema is in notification_schema.ts).
 */
import { httpAddressProblem } from "./http_address.ts";

/**
 * What a notification is about: a run that finished, failed or stalled, a disk running low, or a
 * model download that finished or failed.
 */
export const NOTICE_EVENTS = [
  "finished",
  "failed",
  "stalled",
  "disk_low",
  "download",
  "gpu_lost",
] as const;
export type NoticeEvent = typeof NOTICE_EVENTS[number];

/** How the webhook's body is written: AiKore's JSON, or what ntfy, Discord or Slack expect. */
export const WEBHOOK_FORMATS = ["json", "ntfy", "discord", "slack"] as const;
export type WebhookFormat = typeof WEBHOOK_FORMATS[number];

/** Why `url` cannot be a webhook address, or null. */
export function webhookUrlProblem(url: string): string | null {
  return httpAddressProblem(url, 2048);
}

/** The stored settings. No URL: notifications are off. */
export interface NotificationSettings {
  url: string | null;
  format: WebhookFormat;
  events: NoticeEvent[];
}

export const DEFAULT_NOTIFICATIONS: NotificationSettings = {
  url: null,
  format: "json",
  events: [...NOTICE_EVENTS],
};

/** The last delivery, as the settings page shows it. */
export interface DeliveryResult {
  at: string;
  ok: boolean;
  /** "HTTP 204", or why it failed ("timed out after 10 s", "HTTP 500" …). */
  detail: string;
}

/** `GET /api/system/notifications`: the address is shown as its origin only (it may hold a token). */
export interface NotificationSettingsView {
  enabled: boolean;
  url_hint: string | null;
  format: WebhookFormat;
  events: NoticeEvent[];
  last_delivery: DeliveryResult | null;
}

/** "https://discord.com/…": enough to recognize the address, not its secret path or query. */
export function urlHint(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return parsed.pathname === "/" && !parsed.search ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return null;
  }
}

/** The data disk is "low" under this share of its size, and at most this many bytes. */
export const DISK_LOW = { share: 0.1, atMostBytes: 20 * 1024 ** 3 } as const;

/** Free bytes under which the data disk of `totalBytes` counts as running low. */
export function diskLowThreshold(totalBytes: number): number {
  return Math.min(totalBytes * DISK_LOW.share, DISK_LOW.atMostBytes);
}
