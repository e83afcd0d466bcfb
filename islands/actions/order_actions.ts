/** Saving the display order after a group is dragged or moved with the keyboard. */
import { errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import { displayOrderOf } from "../core/grouping.ts";

/** Stores the new order of root ids (optimistic; reverted on failure). */
export async function saveRootOrder(d: Dashboard, rootIds: number[]): Promise<void> {
  const previous = d.store.order.value;
  const order = displayOrderOf(rootIds, d.store.groups.value);
  d.store.applyOrder(order);
  try {
    await d.api.put("/api/display-order", { order });
  } catch (error) {
    d.store.applyOrder(previous);
    d.ui.toast("error", `Cannot save the order: ${errorText(error)}`);
  }
}
