/** The new-instance row: open it with defaults, create the instance from it. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import { bestGpu, createBodyOf, newInstanceDraft } from "../core/new_instance.ts";

/** Shows the new-instance row (one at a time), preselecting the GPU with most free VRAM. */
export function addNewRow(d: Dashboard): void {
  if (d.store.newRow.value) return;
  d.store.newRow.value = newInstanceDraft(bestGpu(d.store.system.gpus, d.store.stats.value));
}

/** Creates the instance described by the new row (its id; null and the row stays on failure). */
export async function createFromNewRow(d: Dashboard): Promise<number | null> {
  const draft = d.store.newRow.value;
  if (!draft) return null;
  try {
    const mark = d.store.mark();
    const created = await d.api.post<InstanceDto>("/api/instances", createBodyOf(draft));
    d.store.applyResponse(created, mark);
    d.store.newRow.value = null;
    d.ui.toast("success", `Instance "${created.name}" created.`);
    return created.id;
  } catch (error) {
    d.ui.toast("error", `Cannot create "${draft.name}": ${errorText(error)}`);
    return null;
  }
}

/** Removes the new-instance row without creating anything. */
export function cancelNewRow(d: Dashboard): void {
  d.store.newRow.value = null;
}
