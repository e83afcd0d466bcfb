import { useEffect, useState } from "preact/hooks";
import {
  DISK_LOW,
  NOTICE_EVENTS,
  type NoticeEvent,
  type NotificationSettingsView,
  WEBHOOK_FORMATS,
  type WebhookFormat,
} from "../../lib/shared/notification_settings.ts";
import type { DeliveryResult } from "../../lib/shared/notification_settings.ts";
import { type Api, errorText } from "../core/api_client.ts";
import type { UiState } from "../core/ui_state.ts";

const FORMAT_LABELS: Record<WebhookFormat, string> = {
  json: "JSON (AiKore's own fields)",
  ntfy: "ntfy",
  discord: "Discord",
  slack: "Slack, Mattermost, Rocket.Chat",
};

const EVENT_LABELS: Record<NoticeEvent, string> = {
  finished: "a run finishes (exits with 0)",
  failed: "a run fails (exits otherwise, or ends in error)",
  stalled: "an app stalls (not healthy after its start timeout)",
  disk_low: `the data disk runs low (under ${DISK_LOW.share * 100} % free, at most ${
    DISK_LOW.atMostBytes / 1024 ** 3
  } GB)`,
  download: "a model download finishes or fails",
  gpu_lost: "a GPU stops answering the driver (fallen off the bus, a driver fault)",
};

function deliveryText(delivery: DeliveryResult): string {
  const when = new Date(delivery.at).toLocaleString();
  return `${delivery.ok ? "Delivered" : "Failed"} ${when}: ${delivery.detail}`;
}

/**
 * Outcome notifications: a webhook told when a run finishes, fails or stalls, so a week-long
 * training need not be watched. The saved address is never shown back, only its origin.
 */
export function Notifications(props: { api: Api; ui: UiState }) {
  const [view, setView] = useState<NotificationSettingsView | null>(null);
  const [url, setUrl] = useState("");
  const [format, setFormat] = useState<WebhookFormat>("json");
  const [events, setEvents] = useState<NoticeEvent[]>([...NOTICE_EVENTS]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const shown = (next: NotificationSettingsView) => {
    setView(next);
    setFormat(next.format);
    setEvents(next.events);
    setUrl("");
  };
  useEffect(() => {
    props.api.get<NotificationSettingsView>("/api/system/notifications")
      .then(shown)
      .catch((failure) => setError(errorText(failure)));
  }, []);
  const run = async (task: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  const save = (event: Event) => {
    event.preventDefault();
    return run(async () => {
      const change = url.trim() === "" ? { format, events } : { url: url.trim(), format, events };
      shown(await props.api.put<NotificationSettingsView>("/api/system/notifications", change));
      props.ui.toast("success", "Notification settings saved.");
    });
  };
  const turnOff = () =>
    run(async () => {
      shown(
        await props.api.put<NotificationSettingsView>("/api/system/notifications", { url: null }),
      );
      props.ui.toast("success", "Notifications turned off.");
    });
  const sendTest = () =>
    run(async () => {
      const result = await props.api.post<DeliveryResult>("/api/system/notifications/test");
      setView((current) => current && { ...current, last_delivery: result });
      props.ui.toast(
        result.ok ? "success" : "error",
        result.ok ? `Test delivered (${result.detail}).` : `Test failed: ${result.detail}`,
      );
    });
  const toggle = (name: NoticeEvent, on: boolean) =>
    setEvents((current) => NOTICE_EVENTS.filter((e) => e === name ? on : current.includes(e)));
  return (
    <section class="card" aria-labelledby="notifications-title" data-notifications>
      <h2 id="notifications-title">Notifications</h2>
      <p class="muted">
        A webhook (ntfy, Discord, Slack or your own) is told when an instance's run ends or stalls,
        with the line of its log that most likely says why, and when the data disk runs low.
      </p>
      {error && <p class="form-error" role="alert">{error}</p>}
      {view && (
        <p data-notifications-state>
          {view.enabled ? `On: sent to ${view.url_hint}` : "Off: no webhook is set."}
          {view.last_delivery && (
            <span class="muted" data-last-delivery>{` ${deliveryText(view.last_delivery)}`}</span>
          )}
        </p>
      )}
      <form class="settings-form" onSubmit={(e) => void save(e)}>
        <label class="field">
          <span>
            {view?.enabled
              ? "New webhook address (empty: keep the current one)"
              : "Webhook address"}
          </span>
          <input
            type="url"
            name="webhook"
            placeholder="https://ntfy.sh/my-gpu-box"
            autocomplete="off"
            value={url}
            required={!view?.enabled}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Format</span>
          <select
            name="format"
            value={format}
            onChange={(e) => setFormat(e.currentTarget.value as WebhookFormat)}
          >
            {WEBHOOK_FORMATS.map((f) => <option key={f} value={f}>{FORMAT_LABELS[f]}</option>)}
          </select>
        </label>
        <fieldset class="field">
          <legend>Tell me when</legend>
          {NOTICE_EVENTS.map((name) => (
            <label key={name} class="check">
              <input
                type="checkbox"
                name={`event-${name}`}
                checked={events.includes(name)}
                onChange={(e) => toggle(name, e.currentTarget.checked)}
              />{" "}
              {EVENT_LABELS[name]}
            </label>
          ))}
        </fieldset>
        <div class="inline-form">
          <button type="submit" class="btn btn-primary" disabled={busy}>Save</button>
          <button
            type="button"
            class="btn"
            data-action="notifications-test"
            disabled={busy || !view?.enabled}
            onClick={() => void sendTest()}
          >
            Send a test
          </button>
          {view?.enabled && (
            <button
              type="button"
              class="btn"
              disabled={busy}
              onClick={() => void turnOff()}
            >
              Turn off
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
