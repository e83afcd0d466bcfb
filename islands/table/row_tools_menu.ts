/** The row's Tools menu: its entries, each disabled with the reason when it does not apply. */
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { rebuildInstance } from "../actions/lifecycle_actions.tsx";
import { cloneInstance, instantiateSatellite } from "../actions/name_flows.ts";
import { showTerminal } from "../actions/terminal_actions.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
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
      id: "usage",
      label: "Usage history",
      disabledReason: installing,
      run: () => d.tools.open({ kind: "usage", id: dto.id }),
    },
    {
      id: "outputs",
      label: "Outputs",
      disabledReason: installing,
      run: () => d.tools.open({ kind: "outputs", id: dto.id }),
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

/** Opens the row's menu under `anchor`, or closes it when it is already open there. */
export function toggleMenu(d: Dashboard, dto: InstanceDto, anchor: HTMLElement): void {
  const open = d.ui.menu.value;
  d.ui.menu.value = open?.anchor === anchor
    ? null
    : { anchor, label: `Tools for ${dto.name}`, items: menuItems(d, dto) };
}
