import type { InstanceDto, InstanceStatus } from "../shared/instance_schema.ts";
import { type ApiClient, ApiFailure } from "./api_client.ts";
import { readServerEvents } from "./event_stream.ts";

/**
 * Follows the event stream until instance `id` reaches one of `done`: the snapshot sent on
 * connect gives the state now, then each change arrives as an event (nothing is polled).
 * `onChange` sees every status on the way (e.g. installing), and each new message within one
 * (the install step a starting app is at). Throws on timeout or deletion.
 */
export async function waitForStatus(
  api: ApiClient,
  id: number,
  done: ReadonlySet<InstanceStatus>,
  options: { timeoutMs: number | null; onChange?: (instance: InstanceDto) => Promise<void> },
): Promise<InstanceDto> {
  const controller = new AbortController();
  const timer = options.timeoutMs === null
    ? null
    : setTimeout(() => controller.abort(), options.timeoutMs);
  let last: InstanceDto | null = null;
  try {
    const response = await api.send("GET", "/api/events", controller.signal);
    if (!response.body) throw new ApiFailure("the event stream has no body");
    for await (const message of readServerEvents(response.body)) {
      let current: InstanceDto | undefined;
      if (message.event === "snapshot") {
        const snapshot = JSON.parse(message.data) as { instances: InstanceDto[] };
        current = snapshot.instances.find((i) => i.id === id);
        if (!current) throw new ApiFailure(`instance ${id} no longer exists`);
      } else if (message.event === "instance") {
        const changed = JSON.parse(message.data) as InstanceDto;
        if (changed.id === id) current = changed;
      } else if (message.event === "instance-removed") {
        const removed = JSON.parse(message.data) as { id?: number };
        if (removed.id === id) throw new ApiFailure(`instance ${id} was deleted meanwhile`);
      }
      if (!current) continue;
      // A new status, or a new message within one (the install step a starting app is at).
      if (current.status !== last?.status || current.status_message !== last?.status_message) {
        await options.onChange?.(current);
      }
      last = current;
      if (done.has(current.status)) return current;
    }
    throw new ApiFailure("AiKore closed the event stream (is it shutting down?)");
  } catch (error) {
    if (controller.signal.aborted) {
      const seconds = (options.timeoutMs ?? 0) / 1000;
      throw new ApiFailure(`still ${last?.status ?? "unknown"} after ${seconds} s (--timeout)`);
    }
    throw error;
  } finally {
    if (timer !== null) clearTimeout(timer);
    controller.abort();
  }
}
