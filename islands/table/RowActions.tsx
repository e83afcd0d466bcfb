import { deleteInstance } from "../actions/delete_flow.tsx";
import { startInstance, stopInstance } from "../actions/lifecycle_actions.tsx";
import type { Dashboard } from "../core/dashboard_context.ts";
import type { RowState } from "../core/dashboard_store.ts";
import { appUrl, canStart, canStop, openBlocker } from "../core/status.ts";
import { deleteBlocker, keepFocus } from "./row_focus.ts";
import { toggleMenu } from "./row_tools_menu.ts";
import { onToolbarKey } from "../ui/roving_focus.ts";

/**
 * Start, stop, logs, tools menu, delete, view in the pane and open in a new tab. Hook-free
 * (the menu lives in the page's MenuHost), so rows call it as a function.
 */
export function RowActions(props: { d: Dashboard; row: RowState; dirty: boolean }) {
  const { d } = props;
  const dto = props.row.dto.value;
  const busy = dto.status === "installing";
  const blocker = openBlocker(dto);
  const tabUrl = blocker ? null : appUrl(dto, "tab");
  const name = dto.name;
  const noDelete = deleteBlocker(d, dto);
  const startable = !busy && canStart(dto.status);
  const stoppable = !busy && canStop(dto.status);
  // One tab stop for the row's actions (a toolbar: the arrows move between them): the first
  // that can be used.
  const stop = (action: "start" | "stop" | "logs" | "tools") =>
    action === (startable ? "start" : stoppable ? "stop" : busy ? "tools" : "logs") ? 0 : -1;
  return (
    <div
      class="row-actions"
      role="toolbar"
      aria-label={`Actions for ${name} (arrow keys move between them)`}
      onKeyDown={onToolbarKey}
    >
      <button
        type="button"
        class="btn btn-sm btn-go"
        data-action="start"
        tabIndex={stop("start")}
        aria-label={`Start ${name}`}
        title={busy
          ? "Wait until the copy has finished"
          : canStart(dto.status)
          ? "Start"
          : `Cannot start: it is ${dto.status}`}
        disabled={!startable}
        onClick={(event) =>
          void keepFocus(event.currentTarget, startInstance(d, dto), ["stop", "logs"])}
      >
        ▶
      </button>
      <button
        type="button"
        class="btn btn-sm"
        data-action="stop"
        tabIndex={stop("stop")}
        aria-label={`Stop ${name}`}
        title={canStop(dto.status) ? "Stop" : `Nothing to stop: it is ${dto.status}`}
        disabled={!stoppable}
        onClick={(event) =>
          void keepFocus(event.currentTarget, stopInstance(d, dto), ["start", "logs"])}
      >
        ■
      </button>
      <button
        type="button"
        class="btn btn-sm"
        data-action="logs"
        tabIndex={stop("logs")}
        aria-label={`Logs of ${name}`}
        title="Logs"
        disabled={busy}
        onClick={() => d.tools.open({ kind: "console", id: dto.id })}
      >
        Logs
      </button>
      <button
        type="button"
        class="btn btn-sm"
        data-action="tools"
        tabIndex={stop("tools")}
        aria-haspopup="menu"
        aria-expanded="false"
        aria-label={`Tools for ${name}`}
        title="Tools"
        onClick={(event) => toggleMenu(d, dto, event.currentTarget)}
      >
        Tools ▾
      </button>
      <button
        type="button"
        class="btn btn-sm"
        data-action="view"
        tabIndex={-1}
        aria-label={`View ${name} in the pane`}
        title={blocker ?? "View in the tools pane"}
        disabled={blocker !== null}
        onClick={() => d.tools.open({ kind: "app", id: dto.id })}
      >
        View
      </button>
      {tabUrl
        ? (
          <a
            class="btn btn-sm"
            data-action="open"
            tabIndex={-1}
            aria-label={`Open ${name} in a new tab`}
            title="Open in a new tab"
            href={tabUrl}
            target="_blank"
            rel="noopener"
          >
            Open ↗
          </a>
        )
        : (
          <a
            class="btn btn-sm disabled"
            data-action="open"
            aria-label={`Open ${name} in a new tab`}
            title={blocker ?? "Not published"}
            aria-disabled="true"
            role="link"
          >
            Open ↗
          </a>
        )}
      <button
        type="button"
        class="btn btn-sm btn-danger-quiet"
        data-action="delete"
        tabIndex={-1}
        aria-label={`Delete ${name}`}
        title={noDelete ?? "Delete"}
        disabled={noDelete !== null}
        onClick={() => void deleteInstance(d, dto)}
      >
        ✕
      </button>
      {props.dirty && (
        <button
          type="button"
          class="btn btn-sm"
          data-action="revert"
          tabIndex={-1}
          aria-label={`Discard changes to ${name}`}
          title="Discard changes"
          onClick={() => (props.row.draft.value = {})}
        >
          ↺
        </button>
      )}
    </div>
  );
}
