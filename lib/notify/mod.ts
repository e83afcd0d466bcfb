export { noticeText, type OutcomeNotice, webhookRequest } from "./outcome_notice.ts";
export type { WebhookRequest } from "./outcome_notice.ts";
export { WebhookSender, type WebhookSenderOptions } from "./webhook_sender.ts";
