/** Row action helpers: keeping the focus in the row, and why a row cannot be deleted. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import { canDelete } from "../core/status.ts";

/**
 * After an action the clicked button may be disabled (▶ once started): focus moves to the
 * row's next useful button instead of falling to <body>.
 */
export async function keepFocus(button: HTMLElement, action: Promise<void>, next: string[]) {
  const row = button.closest("tr");
  await action;
  // Let the row re-render with the new status first.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const active = document.activeElement as HTMLButtonElement | null;
  if (!row) return;
  const lost = !active || active === document.body || (row.contains(active) && active.disabled);
  if (!lost) return;
  for (const name of next) {
    const target = row?.querySelector<HTMLElement>(`[data-action="${name}"]:not(:disabled)`);
    if (target) {
      target.focus();
      return;
    }
  }
}

/** Why the row cannot be deleted now, or null. */
export function deleteBlocker(d: Dashboard, dto: InstanceDto): string | null {
  if (!canDelete(dto.status)) {
    return dto.status === "installing"
      ? "Wait until the copy has finished"
      : "Stop it before deleting";
  }
  const satellites = d.store.groups.value.find((g) => g.rootId === dto.id)?.satelliteIds.length ??
    0;
  return satellites
    ? `It is the parent of ${satellites} satellite${satellites === 1 ? "" : "s"}: delete ${
      satellites === 1 ? "it" : "them"
    } first`
    : null;
}
