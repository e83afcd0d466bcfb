import { useDashboard } from "../core/dashboard_context.ts";
import { InstanceGroup } from "./InstanceGroup.tsx";
import { NewInstanceRow } from "./NewInstanceRow.tsx";

const COLUMNS = [
  ["cell-handle", ""],
  ["col-name", "Name"],
  ["col-blueprint", "Blueprint"],
  ["col-output", "Output path"],
  ["col-gpus", "GPUs"],
  ["cell-check", "Auto"],
  ["cell-check", "Desktop"],
  ["col-status", "Status"],
  ["col-host", "Custom address"],
  ["col-port", "Port"],
  ["col-actions", "Actions"],
] as const;

const TITLES: Record<string, string> = {
  Auto: "Autostart when AiKore starts",
  Desktop: "Desktop (persistent) mode: the app runs in its own virtual desktop",
  GPUs: "CPU only, all GPUs, or chosen GPUs (free VRAM shown live)",
};

/** The instances table: groups in display order, then the new-instance row. */
export function InstanceTable() {
  const { store } = useDashboard();
  const groups = store.groups.value;
  const newRow = store.newRow.value;
  return (
    <table class="instances" aria-label="Instances">
      <thead>
        <tr>
          {COLUMNS.map(([cls, label], index) => (
            <th scope="col" class={cls || undefined} key={index} title={TITLES[label]}>
              {label || <span class="sr-only">Order</span>}
            </th>
          ))}
        </tr>
      </thead>
      {groups.map((group) => <InstanceGroup key={group.rootId} group={group} />)}
      {newRow && (
        <tbody class="group group-new">
          <NewInstanceRow draft={newRow} />
        </tbody>
      )}
      {groups.length === 0 && !newRow && (
        <tbody>
          <tr>
            <td colSpan={COLUMNS.length} class="empty">
              No instances yet. "Add instance" creates one from a blueprint.
            </td>
          </tr>
        </tbody>
      )}
    </table>
  );
}
