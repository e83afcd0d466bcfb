/** Start, stop and rebuild, with toasts for the outcome. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import { isActive } from "../core/status.ts";

export async function startInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  try {
    const mark = d.store.mark();
    d.store.applyResponse(await d.api.post<InstanceDto>(`/api/instances/${dto.id}/start`), mark);
  } catch (error) {
    d.ui.toast("error", `Cannot start "${dto.name}": ${errorText(error)}`);
  }
}

export async function stopInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  try {
    const mark = d.store.mark();
    d.store.applyResponse(await d.api.post<InstanceDto>(`/api/instances/${dto.id}/stop`), mark);
    d.ui.toast("success", `"${dto.name}" stopped.`);
  } catch (error) {
    d.ui.toast("error", `Cannot stop "${dto.name}": ${errorText(error)}`);
  }
}

export async function rebuildInstance(d: Dashboard, dto: InstanceDto): Promise<void> {
  const running = isActive(dto.status);
  const ok = await d.ui.confirm({
    title: `Rebuild the environment of "${dto.name}"?`,
    message: running
      ? "The instance is running: it is stopped now, and its environment is rebuilt as it starts again."
      : "The environment is rebuilt the next time the instance starts.",
    confirmLabel: running ? "Rebuild and restart" : "Rebuild at next start",
  });
  if (!ok) return;
  try {
    const mark = d.store.mark();
    const result = await d.api.post<{ detail: string; instance: InstanceDto }>(
      `/api/instances/${dto.id}/rebuild`,
    );
    d.store.applyResponse(result.instance, mark);
    d.ui.toast("success", `"${dto.name}": ${result.detail}.`);
  } catch (error) {
    d.ui.toast("error", `Cannot rebuild "${dto.name}": ${errorText(error)}`);
  }
}
