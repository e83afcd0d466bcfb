import { addNewRow } from "../actions/new_row_actions.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { poolState } from "../core/table_view.ts";
import { InstanceTable } from "./InstanceTable.tsx";
import { SaveChangesDialog } from "./SaveChangesDialog.tsx";
import { TableToolbar } from "./TableToolbar.tsx";

/** The top pane: its toolbar (add, save changes, trash) and the instances table. */
export function InstancesPane() {
  const d = useDashboard();
  const dirty = d.store.dirtyRows.value.length;
  const range = d.store.system.port_range;
  const pool = poolState([...d.store.rows.value.values()].map((r) => r.dto.value), range);
  const addBlocker = pool.full
    ? `Every port of the pool ${range.start}-${range.end} is taken: delete an instance or widen AIKORE_INSTANCE_PORT_RANGE`
    : d.store.newRow.value
    ? "Finish or cancel the new row first"
    : null;
  const openSave = () =>
    void d.ui.show("Save changes", (close) => <SaveChangesDialog d={d} close={close} />, true);
  return (
    <>
      <div class="pane-header">
        <h2>Instances</h2>
        <div class="pane-actions">
          <span
            class={`pool-state${pool.full ? " pool-full" : ""}`}
            data-pool-state
            title={`Instance ports ${range.start}-${range.end}: every instance keeps one`}
          >
            {pool.used} of {pool.size} ports used
          </span>
          <button
            type="button"
            class="btn btn-sm"
            data-action="add-instance"
            disabled={addBlocker !== null}
            title={addBlocker ?? "Add a row to create an instance"}
            aria-describedby={pool.full ? "pool-full-reason" : undefined}
            onClick={() => addNewRow(d)}
          >
            + Add instance
          </button>
          {pool.full && <span id="pool-full-reason" class="sr-only">{addBlocker}</span>}
          <button
            type="button"
            class="btn btn-sm btn-primary"
            data-action="save-changes"
            disabled={dirty === 0}
            onClick={openSave}
          >
            Save changes ({dirty})
          </button>
          <button
            type="button"
            class="btn btn-sm"
            data-action="models"
            title="The shared models folder: sizes, downloads, deletes"
            onClick={() => d.tools.open({ kind: "models" })}
          >
            Models
          </button>
          <button
            type="button"
            class="btn btn-sm"
            data-action="trash"
            onClick={() => d.tools.open({ kind: "trash" })}
          >
            Trash
          </button>
        </div>
      </div>
      <TableToolbar />
      <div class="pane-body table-scroll">
        <InstanceTable />
      </div>
    </>
  );
}
