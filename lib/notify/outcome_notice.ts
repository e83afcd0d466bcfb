import type { NoticeEvent, WebhookFormat } from "../shared/notification_settings.ts";

/** What one notification says: an instance's run finished, failed or stalled. */
export interface OutcomeNotice {
  event: NoticeEvent;
  instance: { id: number; name: string; slug: string };
  status: string;
  exitCode: number | null;
  exitSignal: number | null;
  /** The line that most likely says why (a failed run), or the status message. */
  reason: string | null;
  /** The last lines the app printed, as the terminal showed them. */
  lastLines: string[];
  /** When it happened (ISO 8601). */
  at: string;
}

const VERBS: Record<NoticeEvent, string> = {
  finished: "finished",
  failed: "failed",
  stalled: "stalled",
};

/** "exited (3)", "exited (signal 9)", "error": the outcome as the dashboard's badge says it. */
function outcome(notice: OutcomeNotice): string {
  if (notice.exitSignal !== null) return `${notice.status} (signal ${notice.exitSignal})`;
  return notice.exitCode !== null ? `${notice.status} (${notice.exitCode})` : notice.status;
}

/** A one-line title and a short text for people. */
export function noticeText(notice: OutcomeNotice): { title: string; text: string } {
  const title = `AiKore: "${notice.instance.name}" ${VERBS[notice.event]}`;
  const lines = [`${notice.instance.name} (${notice.instance.slug}): ${outcome(notice)}`];
  if (notice.reason) lines.push(notice.reason);
  return { title, text: lines.join("\n") };
}

/** One webhook request: where it goes and what it carries. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = { "content-type": "application/json" };

/**
 * The request for `format`. "json" is AiKore's own payload (every field); the others are what
 * those services take: Discord `content`, Slack (and Mattermost, Rocket.Chat) `text`, and
 * ntfy's JSON publishing (the topic is the address's last path segment, posted to its parent),
 * which carries a UTF-8 title where a header could not.
 */
export function webhookRequest(
  format: WebhookFormat,
  url: string,
  notice: OutcomeNotice,
): WebhookRequest {
  const { title, text } = noticeText(notice);
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
        priority: notice.event === "failed" ? 4 : 3,
        tags: [notice.event === "finished" ? "white_check_mark" : "warning"],
      };
      return { url: target.toString(), headers: JSON_TYPE, body: JSON.stringify(body) };
    }
    case "json":
      return {
        url,
        headers: JSON_TYPE,
        body: JSON.stringify({
          event: notice.event,
          title,
          text,
          instance: notice.instance,
          status: notice.status,
          exit_code: notice.exitCode,
          exit_signal: notice.exitSignal,
          reason: notice.reason,
          last_lines: notice.lastLines,
          at: notice.at,
        }),
      };
  }
}
