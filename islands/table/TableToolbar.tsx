import { bulkLifecycle } from "../actions/bulk_actions.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { SORT_LABELS, type SortKey } from "../core/table_view.ts";

/** Search, sort, compact rows, and the bulk actions of the selection. */
export function TableToolbar() {
  const d = useDashboard();
  const { view } = d;
  // Deleted rows may still be in the selection: count only those that exist.
  const selected = [...view.selected.value].filter((id) => d.store.row(id)).length;
  return (
    <div class="table-toolbar" role="search">
      <input
        type="search"
        class="table-search"
        aria-label="Search instances by name, blueprint or status"
        placeholder="Search name, blueprint, status…"
        data-table-search
        value={view.query.value}
        onInput={(event) => (view.query.value = event.currentTarget.value)}
      />
      <label class="toggle">
        Sort
        <select
          aria-label="Sort instances"
          data-table-sort
          value={view.sort.value}
          onChange={(event) => (view.sort.value = event.currentTarget.value as SortKey)}
        >
          {(Object.keys(SORT_LABELS) as SortKey[]).map((key) => (
            <option key={key} value={key}>{SORT_LABELS[key]}</option>
          ))}
        </select>
      </label>
      <label class="toggle">
        <input
          type="checkbox"
          data-table-compact
          checked={view.compact.value}
          onChange={(event) => view.setCompact(event.currentTarget.checked)}
        />
        Compact rows
      </label>
      {selected > 0 && (
        <div class="bulk-bar" role="group" aria-label="Selected instances">
          <span data-selected-count>{selected} selected</span>
          <button
            type="button"
            class="btn btn-sm btn-go"
            data-bulk="start"
            onClick={() => void bulkLifecycle(d, "start")}
          >
            ▶ Start
          </button>
          <button
            type="button"
            class="btn btn-sm"
            data-bulk="stop"
            onClick={() => void bulkLifecycle(d, "stop")}
          >
            ■ Stop
          </button>
          <button
            type="button"
            class="btn btn-sm"
            data-bulk="clear"
            onClick={() => (view.selected.value = new Set())}
          >
            Clear
          </button>
        </div>
      )}
    </div>
  );
}
