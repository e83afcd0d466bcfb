import { useState } from "preact/hooks";
import { saveRootOrder } from "../actions/order_actions.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { type Group, moveGroup, shiftGroup } from "../core/grouping.ts";
import { InstanceRow } from "./InstanceRow.tsx";

const DRAG_TYPE = "application/x-aikore-group";

/**
 * A root instance and its satellites in one `<tbody>`: the unit that is dragged (handle, or
 * Alt+Arrow keys on the handle) to reorder the table.
 */
export function InstanceGroup(props: { group: Group; reorderable: boolean }) {
  const d = useDashboard();
  const { group } = props;
  const [drop, setDrop] = useState<"before" | "after" | null>(null);
  const root = d.store.row(group.rootId);
  if (!root) return null;
  const rootIds = () => d.store.groups.value.map((g) => g.rootId);
  const name = root.dto.value.name;

  const select = (id: number, label: string) => (
    <input
      type="checkbox"
      class="row-select"
      data-select={id}
      aria-label={`Select ${label}`}
      checked={d.view.selected.value.has(id)}
      onChange={(event) => d.view.toggle(id, event.currentTarget.checked)}
    />
  );
  const handle = !props.reorderable ? select(group.rootId, name) : (
    <>
      {select(group.rootId, name)}
      <span
        class="drag-handle"
        role="button"
        tabIndex={0}
        draggable
        aria-label={`Move ${name} (drag, or Alt+Up/Down)`}
        title="Drag to reorder (or Alt+↑/↓)"
        onDragStart={(event) => {
          event.dataTransfer?.setData(DRAG_TYPE, String(group.rootId));
          if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
          const body = (event.currentTarget as HTMLElement).closest("tbody");
          if (body && event.dataTransfer) event.dataTransfer.setDragImage(body, 12, 12);
        }}
        onKeyDown={(event) => {
          if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
          event.preventDefault();
          const next = shiftGroup(rootIds(), group.rootId, event.key === "ArrowUp" ? -1 : 1);
          void saveRootOrder(d, next);
        }}
      >
        ☰
      </span>
    </>
  );
  const where = (event: DragEvent): "before" | "after" => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    return event.clientY < box.top + box.height / 2 ? "before" : "after";
  };
  return (
    <tbody
      class={`group${drop ? ` drop-${drop}` : ""}`}
      data-group={group.rootId}
      onDragOver={(event) => {
        if (!event.dataTransfer?.types.includes(DRAG_TYPE)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        setDrop(where(event));
      }}
      onDragLeave={() => setDrop(null)}
      onDrop={(event) => {
        const moved = Number(event.dataTransfer?.getData(DRAG_TYPE));
        setDrop(null);
        if (!moved) return;
        event.preventDefault();
        void saveRootOrder(d, moveGroup(rootIds(), moved, group.rootId, where(event)));
      }}
    >
      <InstanceRow row={root} handle={handle} />
      {group.satelliteIds.map((id) => {
        const satellite = d.store.row(id);
        return satellite
          ? (
            <InstanceRow
              key={id}
              row={satellite}
              handle={select(id, satellite.dto.value.name)}
            />
          )
          : null;
      })}
    </tbody>
  );
}
