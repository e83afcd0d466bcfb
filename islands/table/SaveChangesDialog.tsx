import { useState } from "preact/hooks";
import { saveRow } from "../actions/save_changes.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import type { RowState } from "../core/dashboard_store.ts";
import { changesOf, needsRestart } from "../core/editable.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { workInProgress } from "../core/work_in_progress.ts";

function RowChanges(props: { row: RowState; error: string | null | undefined }) {
  const dto = props.row.dto.value;
  const changes = changesOf(dto, props.row.draft.value);
  const restart = needsRestart(dto, props.row.draft.value);
  const { store } = useDashboard();
  const working = restart ? workInProgress(store.stats.peek(), dto) : null;
  return (
    <li class="change-row" data-change-row={dto.slug}>
      <strong>{dto.name}</strong>
      {restart && (
        <span class="warn-text" data-restart-warning>
          {` — running (${dto.status}): saving stops and restarts it`}
        </span>
      )}
      {working && (
        <span class="warn-text" data-working-warning>
          {` It works now (${working}): what it has not saved is lost.`}
        </span>
      )}
      <ul>
        {changes.map((change) => (
          <li key={change.field}>
            {change.label}: <code>{change.from}</code> → <code>{change.to}</code>
            {change.field === "base_blueprint" && (
              <span class="warn-text">(replaces launch.sh: edits to the script are lost)</span>
            )}
            {change.field === "output_path" && (
              <span class="muted">(existing files are not moved)</span>
            )}
          </li>
        ))}
      </ul>
      {props.error && <p class="form-error" role="alert">{props.error}</p>}
    </li>
  );
}

/** The "Save changes" dialog: every change per row, restart warnings, then one PUT per row. */
export function SaveChangesDialog(props: { d: Dashboard; close: () => void }) {
  const { d, close } = props;
  const [rows] = useState(() => d.store.dirtyRows.value);
  const [errors, setErrors] = useState<Record<number, string | null>>({});
  const [saving, setSaving] = useState(false);
  const pending = rows.filter((row) => changesOf(row.dto.value, row.draft.value).length > 0);
  const restarts = pending.filter((row) => needsRestart(row.dto.value, row.draft.value)).length;

  const apply = async () => {
    setSaving(true);
    const results: Record<number, string | null> = {};
    let saved = 0;
    for (const row of pending) {
      results[row.id] = await saveRow(d, row);
      if (results[row.id] === null) saved++;
    }
    setErrors(results);
    setSaving(false);
    const failed = pending.length - saved;
    if (saved) d.ui.toast("success", `${saved} instance${saved > 1 ? "s" : ""} updated.`);
    if (failed) {
      d.ui.toast("error", `${failed} update${failed > 1 ? "s" : ""} failed; see the list.`);
    } else close();
  };
  return (
    <div class="save-changes">
      {restarts > 0 && (
        <p class="banner-warn" role="alert">
          {restarts} running instance{restarts > 1 ? "s" : ""} will be stopped and started again.
        </p>
      )}
      <ul class="change-list">
        {pending.map((row) => <RowChanges key={row.id} row={row} error={errors[row.id]} />)}
      </ul>
      {pending.length === 0 && <p class="muted">Nothing left to save.</p>}
      <div class="modal-footer">
        <button
          type="button"
          class="btn btn-primary"
          data-action="apply-changes"
          disabled={saving || pending.length === 0}
          onClick={() => void apply()}
        >
          {saving ? "Saving…" : restarts ? "Save and restart" : "Save"}
        </button>
        <button type="button" class="btn" onClick={close}>Cancel</button>
      </div>
    </div>
  );
}
