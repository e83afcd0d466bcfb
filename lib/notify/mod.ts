export { type Notice, type WebhookRequest, webhookRequest } from "./notice.ts";
export { WebhookSender, type WebhookSenderOptions } from "./webhook_sender.ts";
