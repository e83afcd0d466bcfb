/**
 * Notifications through the webhook set in Settings: when a run finishes (exits with 0), fails
 * (exits otherwise, or ends in error) or stalls, with the line that most likely says why, and
 * when the data disk runs low. Runs are followed through the instance events on the bus, so the
 * lifecycle code stays untouched; everything is sent in the background (a dead webhook never
 * holds an instance).
 */
import type { InstanceRecord, SettingsRepository } from "../db/mod.ts";
import { background } from "../guard/mod.ts";
import type { Logger } from "../log/mod.ts";
import { type Notice, webhookRequest, type WebhookSender } from "../notify/mod.ts";
import { formatBytes } from "../shared/stats.ts";
import { failureLine } from "../shared/failure_line.ts";
import { type ModelDownloadView, modelsPlace } from "../shared/model_download.ts";
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

export interface NotifierDeps {
  settings: SettingsRepository;
  sender: WebhookSender;
  logs: InstanceLogs;
  logger: Logger;
  /**
   * What changed in the failed run's environment since the instance last worked, in words, once
   * that run's environment is recorded (the caller bounds the wait); null when nothing is known.
   */
  environmentChanges?: (record: InstanceRecord) => Promise<string[] | null>;
  now?: () => number;
}

/** A failure notice names at most this many changes of the environment, then how many more. */
const CHANGES_IN_TEXT = 5;

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

export class Notifier {
  #statuses = new Map<number, string>();
  #sentAt = new Map<string, number>();
  #unsubscribe: () => void = () => {};
  readonly #now: () => number;

  constructor(private readonly deps: NotifierDeps) {
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
      statusMessage: "This is a test notification from AiKore's settings.",
    } as InstanceRecord;
    const notice = this.runNotice("failed", example, [], ["torch 2.5.1 → 2.6.0"]);
    return await this.deps.sender.tryOnce(webhookRequest(settings.format, settings.url, notice));
  }

  /** The data disk runs low (told by the disk watch): sent when the user asked for it. */
  diskLow(path: string, freeBytes: number, totalBytes: number): void {
    this.#send("disk_low", () => ({
      event: "disk_low",
      title: "AiKore: the data disk is running low",
      text: `${formatBytes(freeBytes, 1)} free of ${formatBytes(totalBytes, 1)} on ${path}. ` +
        "Downloads, outputs and logs will fail when it is full.",
      urgent: true,
      facts: { path, free_bytes: freeBytes, total_bytes: totalBytes },
      at: new Date(this.#now()).toISOString(),
    }));
  }

  /**
   * A GPU stopped answering the driver (told by the GPU watch), with the running instances that
   * use it: sent when the user asked for it.
   */
  gpuLost(gpu: { index: number; name: string; uuid: string }, instances: string[]): void {
    this.#send("gpu_lost", () => ({
      event: "gpu_lost",
      title: `AiKore: GPU ${gpu.index} stopped answering the driver`,
      text: `${gpu.name} (GPU ${gpu.index}) no longer answers NVML: it may have fallen off the ` +
        "bus or its driver faulted; the apps on it have likely stopped or hung. " +
        (instances.length
          ? `Running on it: ${instances.join(", ")}.`
          : "No instance was running on it."),
      urgent: true,
      facts: { gpu: { index: gpu.index, name: gpu.name, uuid: gpu.uuid }, instances },
      at: new Date(this.#now()).toISOString(),
    }));
  }

  /** A model download finished or failed: sent when the user asked for it. */
  download(download: ModelDownloadView): void {
    const name = download.name ?? download.source;
    const where = modelsPlace(download.folder);
    const failed = download.status === "failed";
    this.#send("download", () => ({
      event: "download",
      title: failed ? `AiKore: the download of ${name} failed` : `AiKore: ${name} downloaded`,
      text: failed
        ? `${download.message ?? "failed"}. ${
          formatBytes(download.bytes, 1)
        } are kept: Resume in the Models view goes on from there.`
        : `${formatBytes(download.bytes, 1)} in ${where}.`,
      urgent: failed,
      facts: {
        download: { id: download.id, source: download.source, folder: download.folder, name },
        status: download.status,
        bytes: download.bytes,
        reason: download.message,
      },
      at: new Date(this.#now()).toISOString(),
    }));
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
    const key = `${record.id}:${kind}`;
    const last = this.#sentAt.get(key);
    if (last !== undefined && this.#now() - last < REPEAT_AFTER_MS) return;
    const lastLines = kind === "stalled" ? [] : this.deps.logs.lastOutput(record.slug) ?? [];
    const sent = this.#send(
      kind,
      () =>
        kind === "failed"
          ? this.#failureNotice(record, lastLines)
          : this.runNotice(kind, record, lastLines),
      record.slug,
    );
    if (sent) this.#sentAt.set(key, this.#now());
  }

  /** A failure's notice, with what changed in its environment since the instance last worked. */
  async #failureNotice(record: InstanceRecord, lastLines: string[]): Promise<Notice> {
    // The bus calls its listeners one after another: past this await, the environment recorder
    // has seen this exit too, and its record of the run is under way.
    await null;
    let changes: string[] | null = null;
    try {
      changes = await this.deps.environmentChanges?.(record) ?? null;
    } catch (error) {
      this.deps.logger.warn("could not say what changed in the environment of a failed run", {
        instance: record.slug,
        error,
      });
    }
    return this.runNotice("failed", record, lastLines, changes);
  }

  /**
   * Queues the notice `build` makes when the user wants `kind`; false when not wanted. A notice
   * that takes a while to make (a promise) is queued once made; notices made meanwhile go first.
   */
  #send(kind: NoticeEvent, build: () => Notice | Promise<Notice>, instance?: string): boolean {
    const settings = this.settings();
    const url = settings.url;
    if (url === null || !settings.events.includes(kind)) return false;
    const queue = (notice: Notice) =>
      this.deps.sender.send(webhookRequest(settings.format, url, notice));
    const made = build();
    if (made instanceof Promise) {
      // background() logs a failure to make it; the server goes on.
      background(made.then(queue), this.deps.logger, { task: `make the ${kind} notice`, instance });
    } else {
      queue(made);
    }
    return true;
  }

  /**
   * What a run's notice says: its outcome, the line that most likely says why, what changed in its
   * environment since the instance last worked (a failure, where known), its last lines.
   */
  runNotice(
    event: NoticeEvent,
    record: InstanceRecord,
    lastLines: string[],
    environmentChanges: string[] | null = null,
  ): Notice {
    const reason = event === "failed"
      ? failureLine(lastLines) ?? record.statusMessage
      : record.statusMessage;
    const lines = [`${record.name} (${record.slug}): ${outcomeOf(record)}`];
    if (reason) lines.push(reason);
    if (environmentChanges?.length) lines.push(changedSince(environmentChanges));
    return {
      event,
      title: `AiKore: "${record.name}" ${event}`,
      text: lines.join("\n"),
      urgent: event !== "finished",
      facts: {
        instance: { id: record.id, name: record.name, slug: record.slug },
        status: record.status,
        exit_code: record.exitCode,
        exit_signal: record.exitSignal,
        reason,
        environment_changes: environmentChanges,
        last_lines: lastLines,
      },
      at: new Date(this.#now()).toISOString(),
    };
  }
}

/** "Changed since it last worked: torch 2.5.1 → 2.6.0, + xformers 0.0.29, and 3 more". */
function changedSince(changes: string[]): string {
  const named = changes.slice(0, CHANGES_IN_TEXT).join(", ");
  const more = changes.length - CHANGES_IN_TEXT;
  return `Changed since it last worked: ${named}${more > 0 ? `, and ${more} more` : ""}`;
}

/** "exited (3)", "exited (signal 9)", "error": the outcome as the dashboard's badge says it. */
function outcomeOf(record: InstanceRecord): string {
  if (record.exitSignal !== null) return `${record.status} (signal ${record.exitSignal})`;
  return record.exitCode !== null ? `${record.status} (${record.exitCode})` : record.status;
}
