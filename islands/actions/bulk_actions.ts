/** Start or stop every selected instance at once; one toast with the outcome. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import { canStart, canStop } from "../core/status.ts";
import { startOnBusyGpus, stopWhileWorking } from "./lifecycle_actions.tsx";

/** Runs `action` on the selected instances it applies to; the selection is kept. */
export async function bulkLifecycle(d: Dashboard, action: "start" | "stop"): Promise<void> {
  const applies = action === "start" ? canStart : canStop;
  const targets = [...d.view.selected.value]
    .map((id) => d.store.row(id)?.dto.value)
    .filter((dto): dto is InstanceDto => dto !== undefined && applies(dto.status));
  if (targets.length === 0) {
    d.ui.toast("info", `None of the selected instances can be ${action}ed now.`);
    return;
  }
  if (action === "start" && !await startOnBusyGpus(d, targets)) return;
  if (action === "stop" && !await stopWhileWorking(d, targets)) return;
  const mark = d.store.mark();
  const results = await Promise.allSettled(
    targets.map((dto) => d.api.post<InstanceDto>(`/api/instances/${dto.id}/${action}`)),
  );
  const failures: string[] = [];
  results.forEach((result, index) => {
    if (result.status === "fulfilled") d.store.applyResponse(result.value, mark);
    else failures.push(`"${targets[index]?.name}": ${errorText(result.reason)}`);
  });
  const done = targets.length - failures.length;
  const verb = action === "start" ? "Starting" : "Stopped";
  if (done) d.ui.toast("success", `${verb} ${done} instance${done === 1 ? "" : "s"}.`);
  if (failures.length) {
    d.ui.toast("error", `Could not ${action} ${failures.length}: ${failures.join("; ")}`);
  }
}
