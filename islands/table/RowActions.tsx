import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { deleteInstance } from "../actions/delete_flow.tsx";
import { rebuildInstance, startInstance, stopInstance } from "../actions/lifecycle_actions.ts";
import { cloneInstance, instantiateSatellite } from "../actions/name_flows.ts";
import { showTerminal } from "../actions/terminal_actions.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import type { RowState } from "../core/dashboard_store.ts";
import { appUrl, canDelete, canStart, canStop, openBlocker } from "../core/status.ts";
import type { MenuItem } from "../core/ui_state.ts";

function menuItems(d: Dashboard, dto: InstanceDto): MenuItem[] {
  const satellite = dto.parent_instance_id !== null ? "A satellite uses its parent's" : null;
  const installing = dto.status === "installing" ? "Wait until the copy has finished" : null;
  return [
    {
      id: "terminal",
      label: "Terminal",
      disabledReason: installing,
      run: () => void showTerminal(d, dto.id),
    },
    {
      id: "editor",
      label: "Edit script",
      disabledReason: installing ?? (satellite && `${satellite} script; edit the parent`),
      run: () => d.tools.open({ kind: "editor", id: dto.id }),
    },
    {
      id: "versions",
      label: "Version check",
      disabledReason: installing,
      run: () => d.tools.open({ kind: "versions", id: dto.id }),
    },
    {
      id: "runs",
      label: "Run history",
      disabledReason: installing,
      run: () => d.tools.open({ kind: "runs", id: dto.id }),
    },
    {
      id: "rebuild",
      label: "Rebuild environment",
      disabledReason: installing ?? (satellite && `${satellite} environment; rebuild the parent`),
      run: () => void rebuildInstance(d, dto),
    },
    {
      id: "clone",
      label: "Clone",
      disabledReason: installing ?? (satellite && "Clone the parent instead"),
      run: () => void cloneInstance(d, dto),
    },
    {
      id: "instantiate",
      label: "Instantiate satellite",
      disabledReason: installing ?? (satellite && "A satellite cannot have satellites"),
      run: () => void instantiateSatellite(d, dto),
    },
  ];
}

function toggleMenu(d: Dashboard, dto: InstanceDto, anchor: HTMLElement): void {
  const open = d.ui.menu.value;
  d.ui.menu.value = open?.anchor === anchor
    ? null
    : { anchor, label: `Tools for ${dto.name}`, items: menuItems(d, dto) };
}

/**
 * After an action the clicked button may be disabled (▶ once started): focus moves to the
 * row's next useful button instead of falling to <body>.
 */
async function keepFocus(button: HTMLElement, action: Promise<void>, next: string[]) {
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
function deleteBlocker(d: Dashboard, dto: InstanceDto): string | null {
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
  return (
    <div class="row-actions">
      <button
        type="button"
        class="btn btn-sm btn-go"
        data-action="start"
        aria-label={`Start ${name}`}
        title={busy
          ? "Wait until the copy has finished"
          : canStart(dto.status)
          ? "Start"
          : `Cannot start: it is ${dto.status}`}
        disabled={busy || !canStart(dto.status)}
        onClick={(event) =>
          void keepFocus(event.currentTarget, startInstance(d, dto), ["stop", "logs"])}
      >
        ▶
      </button>
      <button
        type="button"
        class="btn btn-sm"
        data-action="stop"
        aria-label={`Stop ${name}`}
        title={canStop(dto.status) ? "Stop" : `Nothing to stop: it is ${dto.status}`}
        disabled={busy || !canStop(dto.status)}
        onClick={(event) =>
          void keepFocus(event.currentTarget, stopInstance(d, dto), ["start", "logs"])}
      >
        ■
      </button>
      <button
        type="button"
        class="btn btn-sm"
        data-action="logs"
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
