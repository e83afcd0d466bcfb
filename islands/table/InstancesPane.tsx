import { addNewRow } from "../actions/new_row_actions.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { InstanceTable } from "./InstanceTable.tsx";
import { SaveChangesDialog } from "./SaveChangesDialog.tsx";

/** The top pane: its toolbar (add, save changes, trash) and the instances table. */
export function InstancesPane() {
  const d = useDashboard();
  const dirty = d.store.dirtyRows.value.length;
  const openSave = () =>
    void d.ui.show("Save changes", (close) => <SaveChangesDialog d={d} close={close} />, true);
  return (
    <>
      <div class="pane-header">
        <h2>Instances</h2>
        <div class="pane-actions">
          <button
            type="button"
            class="btn btn-sm"
            data-action="add-instance"
            disabled={d.store.newRow.value !== null}
            onClick={() => addNewRow(d)}
          >
            + Add instance
          </button>
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
            data-action="trash"
            onClick={() => d.tools.open({ kind: "trash" })}
          >
            Trash
          </button>
        </div>
      </div>
      <div class="pane-body table-scroll">
        <InstanceTable />
      </div>
    </>
  );
}
