import type { WebhookFormat } from "../shared/notification_settings.ts";

/** One notification: what happened in words, and its facts for the JSON format. */
export interface Notice {
  /** "finished", "failed", "stalled", "disk_low", "download", "gpu_lost". */
  event: string;
  /** One line, e.g. `AiKore: "Trainer" failed`. */
  title: string;
  /** A few lines for people. */
  text: string;
  /** Wants attention (a failure, a full disk): a higher priority where the service has one. */
  urgent: boolean;
  /** The facts, as the JSON format sends them next to `event`, `title`, `text` and `at`. */
  facts: Record<string, unknown>;
  /** When it happened (ISO 8601). */
  at: string;
}

/** One webhook request: where it goes and what it carries. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = { "content-type": "application/json" };

/**
 * The request for `format`. "json" is AiKore's own payload (every fact); the others are what
 * those services take: Discord `content`, Slack (and Mattermost, Rocket.Chat) `text`, and
 * ntfy's JSON publishing (the topic is the address's last path segment, posted to its parent),
 * which carries a UTF-8 title where a header could not.
 */
export function webhookRequest(format: WebhookFormat, url: string, notice: Notice): WebhookRequest {
  const { title, text } = notice;
  switch (format) {
    case "discord":
      return {
        url,
        headers: JSON_TYPE,
        body: JSON.stringify({ content: `**${title}**\n${text}` }),
      };
    case "slack":
      return { url, headers: JSON_TYPE, body: JSON.stringify({ text: `*${title}*\n${text}` }) };
    case "ntfy": {
      const target = new URL(url);
      const segments = target.pathname.split("/");
      const topic = segments.pop() ?? "";
      target.pathname = segments.join("/") || "/";
      const body = {
        topic: decodeURIComponent(topic),
        title,
        message: text,
        priority: notice.urgent ? 4 : 3,
        tags: [notice.urgent ? "warning" : "white_check_mark"],
      };
      return { url: target.toString(), headers: JSON_TYPE, body: JSON.stringify(body) };
    }
    case "json":
      return {
        url,
        headers: JSON_TYPE,
        body: JSON.stringify({ event: notice.event, title, text, ...notice.facts, at: notice.at }),
      };
  }
}
