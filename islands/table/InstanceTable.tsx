import { useDashboard } from "../core/dashboard_context.ts";
import { viewGroups } from "../core/table_view.ts";
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
  ["col-restart", "Restart"],
  ["col-versions", "Versions"],
  ["col-status", "Status"],
  ["col-host", "Custom address"],
  ["col-port", "Port"],
  ["col-actions", "Actions"],
] as const;

const TITLES: Record<string, string> = {
  Auto: "Autostart when AiKore starts",
  Desktop: "Desktop (persistent) mode: the app runs in its own virtual desktop",
  Restart: "Restart policy: restart the app by itself when it fails",
  Versions: "Python, CUDA and torch versions (empty: the blueprint's default)",
  GPUs: "CPU only, all GPUs, or chosen GPUs (free VRAM shown live)",
};

/** The instances table: groups in display order, then the new-instance row. */
export function InstanceTable() {
  const { store, view } = useDashboard();
  const all = store.groups.value;
  const query = view.query.value;
  const lookup = (id: number) => store.row(id)?.dto.value;
  const groups = viewGroups(all, lookup, query, view.sort.value);
  const reorderable = query.trim() === "" && view.sort.value === "order";
  const newRow = store.newRow.value;
  const shownIds = groups.flatMap((g) => [g.rootId, ...g.satelliteIds]);
  return (
    <table class={`instances${view.compact.value ? " compact" : ""}`} aria-label="Instances">
      <thead>
        <tr>
          {COLUMNS.map(([cls, label], index) => (
            <th scope="col" class={cls || undefined} key={index} title={TITLES[label]}>
              {label || (
                <input
                  type="checkbox"
                  class="row-select"
                  data-select-all
                  aria-label="Select every shown instance"
                  checked={shownIds.length > 0 &&
                    shownIds.every((id) => view.selected.value.has(id))}
                  onChange={(event) => (view.selected.value = event.currentTarget.checked
                    ? new Set(shownIds)
                    : new Set())}
                />
              )}
            </th>
          ))}
        </tr>
      </thead>
      {groups.map((group) => (
        <InstanceGroup key={group.rootId} group={group} reorderable={reorderable} />
      ))}
      {newRow && (
        <tbody class="group group-new">
          <NewInstanceRow draft={newRow} />
        </tbody>
      )}
      {all.length > 0 && groups.length === 0 && (
        <tbody>
          <tr>
            <td colSpan={COLUMNS.length} class="empty" data-no-match>
              No instance matches "{query}". Clear the search to see all {all.length}.
            </td>
          </tr>
        </tbody>
      )}
      {all.length === 0 && !newRow && (
        <tbody>
          <tr>
            <td colSpan={COLUMNS.length} class="empty">
              No instances yet. Press{" "}
              <strong>+ Add instance</strong>, type a name, pick a blueprint (its description shows
              under the list) and press Create; then ▶ starts it and <strong>Logs</strong>{" "}
              shows its output.
            </td>
          </tr>
        </tbody>
      )}
    </table>
  );
}
