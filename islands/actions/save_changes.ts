/** Applies one row's draft with `PUT /api/instances/{id}` (restart/replace already confirmed). */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import type { RowState } from "../core/dashboard_store.ts";
import { updateBodyOf } from "../core/editable.ts";

/** Saves a row; returns null on success or the error message. The draft is kept on failure. */
export async function saveRow(d: Dashboard, row: RowState): Promise<string | null> {
  const body = updateBodyOf(row.dto.value, row.draft.value);
  if (Object.keys(body).length === 0) return null;
  try {
    const mark = d.store.mark();
    const updated = await d.api.put<InstanceDto>(`/api/instances/${row.id}`, body);
    row.draft.value = {};
    d.store.applyResponse(updated, mark);
    return null;
  } catch (error) {
    return errorText(error);
  }
}
