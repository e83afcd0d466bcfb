/** The dashboard's shared objects, given to every component through one context. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { type Api, createApi } from "./api_client.ts";
import { DashboardStore } from "./dashboard_store.ts";
import { failureToast } from "./failure.ts";
import { TableView } from "./table_view.ts";
import { ToolsState } from "./tools_state.ts";
import type { DashboardProps } from "./types.ts";
import { UiState } from "./ui_state.ts";

/** Store, API client, toasts/modals and the tools pane of one dashboard page. */
export interface Dashboard {
  store: DashboardStore;
  api: Api;
  ui: UiState;
  tools: ToolsState;
  view: TableView;
}

/** Builds a page's objects from the island props (on the server and in the browser). */
export function createDashboard(props: DashboardProps): Dashboard {
  const store = new DashboardStore(props.instances, props.order, props.blueprints, props.system);
  const ui = new UiState();
  store.onDraftLost = (name) =>
    ui.toast("info", `"${name}" was deleted elsewhere; its unsaved edits were dropped.`);
  const tools = new ToolsState();
  store.onFailure = (dto) =>
    ui.toast("error", failureToast(dto), {
      label: "Show log",
      run: () => tools.open({ kind: "console", id: dto.id }),
    });
  const api = createApi({ csrfToken: props.csrfToken });
  return { store, api, ui, tools, view: new TableView() };
}

export const DashboardContext = createContext<Dashboard | null>(null);

/** The page's dashboard objects (inside the Dashboard island). */
export function useDashboard(): Dashboard {
  const dashboard = useContext(DashboardContext);
  if (!dashboard) throw new Error("useDashboard outside the Dashboard island");
  return dashboard;
}
