/**
 * Outcome notifications: when a run finishes (exits with 0), fails (exits otherwise, or ends in
 * error) or stalls, the user is told through the webhook set in Settings, with the line that
 * most likely says why. Detected from the instance events on the bus, so the lifecycle code
 * stays untouched; sent in the background (a dead webhook never holds an instance).
 */
import type { InstanceRecord, SettingsRepository } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { type OutcomeNotice, webhookRequest, type WebhookSender } from "../notify/mod.ts";
import { failureLine } from "../shared/failure_line.ts";
import {
  DEFAULT_NOTIFICATIONS,
  type DeliveryResult,
  type NoticeEvent,
  type NotificationSettings,
  type NotificationSettingsView,
  urlHint,
} from "../shared/notification_settings.ts";
import {
  type NotificationUpdate,
  notificationUpdateSchema,
} from "../shared/notification_schema.ts";
import { DomainError } from "../shared/domain_error.ts";
import type { BusEvent, EventBus } from "./event_bus.ts";
import type { InstanceLogs } from "./instance_logs.ts";
import { INSTANCE_EVENT, INSTANCE_REMOVED_EVENT } from "./instance_store.ts";

const SETTINGS_KEY = "notifications";
/** A run that was going: leaving one of these is what a notice is about. */
const RUNNING = new Set(["starting", "started", "stalled"]);
/** The same notice for the same instance is sent at most this often (a crash loop is one). */
const REPEAT_AFTER_MS = 60_000;

export interface OutcomeNoticeDeps {
  settings: SettingsRepository;
  sender: WebhookSender;
  logs: InstanceLogs;
  logger: Logger;
  now?: () => number;
}

/** Which notice a change of status makes, if any. */
export function noticeEventOf(
  before: string | undefined,
  after: InstanceRecord,
): NoticeEvent | null {
  if (after.status === "stalled") return before === "stalled" ? null : "stalled";
  if (before === undefined || !RUNNING.has(before)) return null;
  if (after.status === "error") return "failed";
  if (after.status !== "exited") return null;
  return after.exitCode === 0 && after.exitSignal === null ? "finished" : "failed";
}

export class OutcomeNotices {
  #statuses = new Map<number, string>();
  #sentAt = new Map<string, number>();
  #unsubscribe: () => void = () => {};
  readonly #now: () => number;

  constructor(private readonly deps: OutcomeNoticeDeps) {
    this.#now = deps.now ?? Date.now;
  }

  /** Follows the bus, knowing the statuses the database holds now (a run ended while AiKore was down counts). */
  start(bus: EventBus, current: readonly InstanceRecord[]): void {
    for (const record of current) this.#statuses.set(record.id, record.status);
    this.#unsubscribe = bus.subscribe((event) => this.record(event));
  }

  stop(): void {
    this.#unsubscribe();
    this.deps.sender.close();
  }

  /** The stored settings (defaults where none were saved). */
  settings(): NotificationSettings {
    const text = this.deps.settings.get(SETTINGS_KEY);
    if (text === null) return DEFAULT_NOTIFICATIONS;
    try {
      const stored = notificationUpdateSchema.parse(JSON.parse(text));
      return {
        url: stored.url ?? null,
        format: stored.format ?? DEFAULT_NOTIFICATIONS.format,
        events: stored.events ?? DEFAULT_NOTIFICATIONS.events,
      };
    } catch (error) {
      this.deps.logger.warn("stored notification settings are unreadable; notifications are off", {
        error,
      });
      return DEFAULT_NOTIFICATIONS;
    }
  }

  /** Applies a validated update: a field left out keeps its value; `url: null` turns them off. */
  update(change: NotificationUpdate): NotificationSettings {
    const current = this.settings();
    const next: NotificationSettings = {
      url: change.url === undefined ? current.url : change.url,
      format: change.format ?? current.format,
      events: change.events ? [...new Set(change.events)] : current.events,
    };
    this.deps.settings.set(SETTINGS_KEY, JSON.stringify(next));
    return next;
  }

  /** The settings as the page shows them: the address by its origin only. */
  view(): NotificationSettingsView {
    const settings = this.settings();
    return {
      enabled: settings.url !== null,
      url_hint: urlHint(settings.url),
      format: settings.format,
      events: settings.events,
      last_delivery: this.deps.sender.lastDelivery,
    };
  }

  /** Sends an example "failed" notice now, once, and says how it went. */
  async sendTest(): Promise<DeliveryResult> {
    const settings = this.settings();
    if (settings.url === null) {
      throw new DomainError("conflict", "Set a webhook address first", null, "no_webhook");
    }
    const example = {
      id: 0,
      name: "Example instance",
      slug: "example",
      status: "exited",
      exitCode: 1,
      exitSignal: null,
      statusMessage: null,
    } as InstanceRecord;
    const notice: OutcomeNotice = {
      ...this.notice("failed", example),
      reason: "This is a test notification from AiKore's settings.",
      lastLines: [],
    };
    return await this.deps.sender.tryOnce(webhookRequest(settings.format, settings.url, notice));
  }

  /** Applies one bus event. */
  record(event: BusEvent): void {
    if (event.type === INSTANCE_REMOVED_EVENT) {
      this.#statuses.delete((event.data as { id: number }).id);
      return;
    }
    if (event.type !== INSTANCE_EVENT) return;
    const record = event.data as InstanceRecord;
    const before = this.#statuses.get(record.id);
    this.#statuses.set(record.id, record.status);
    const kind = noticeEventOf(before, record);
    if (kind === null) return;
    const settings = this.settings();
    if (settings.url === null || !settings.events.includes(kind)) return;
    const key = `${record.id}:${kind}`;
    const last = this.#sentAt.get(key);
    if (last !== undefined && this.#now() - last < REPEAT_AFTER_MS) return;
    this.#sentAt.set(key, this.#now());
    this.deps.sender.send(webhookRequest(settings.format, settings.url, this.notice(kind, record)));
  }

  /** The notice for `record` (also what "Send a test" sends, for an example instance). */
  notice(event: NoticeEvent, record: InstanceRecord): OutcomeNotice {
    const lastLines = event === "stalled" ? [] : this.deps.logs.lastOutput(record.slug) ?? [];
    const reason = event === "failed"
      ? failureLine(lastLines) ?? record.statusMessage
      : record.statusMessage;
    return {
      event,
      instance: { id: record.id, name: record.name, slug: record.slug },
      status: record.status,
      exitCode: record.exitCode,
      exitSignal: record.exitSignal,
      reason,
      lastLines,
      at: new Date(this.#now()).toISOString(),
    };
  }
}
