import type { DashboardStore } from "../core/dashboard_store.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import type { ToolsView } from "../core/tools_state.ts";
import { AppView } from "./AppView.tsx";
import { ConsoleView } from "./ConsoleView.tsx";
import { EditorView } from "./EditorView.tsx";
import { FolderView } from "./FolderView.tsx";
import { RunsView } from "./RunsView.tsx";
import { TerminalsView } from "./TerminalsView.tsx";
import { TrashView } from "./TrashView.tsx";
import { VersionView } from "./VersionView.tsx";
import { WelcomeView } from "./WelcomeView.tsx";
import { InstanceUsageView, UsageHistoryView } from "../monitor/UsageHistoryView.tsx";
import { DiskUsageView } from "../monitor/DiskUsageView.tsx";

function titleOf(view: ToolsView, store: DashboardStore): string {
  const name = "id" in view ? store.row(view.id)?.dto.value.name ?? `#${view.id}` : "";
  switch (view.kind) {
    case "welcome":
      return "Tools";
    case "console":
      return `Logs: ${name}`;
    case "terminals":
      return "Terminals";
    case "editor":
      return `Script: ${name}`;
    case "app":
      return `App: ${name}`;
    case "versions":
      return `Version check: ${name}`;
    case "runs":
      return `Run history: ${name}`;
    case "outputs":
      return `Outputs: ${name}`;
    case "models":
      return "Shared models";
    case "history":
      return "Usage history";
    case "usage":
      return `Usage history: ${name}`;
    case "disk":
      return "Disk usage";
    case "trash":
      return "Trash";
  }
}

/** An instance's output folder: read-only (AiKore never deletes outputs). */
function OutputsView(props: { id: number }) {
  const { store } = useDashboard();
  const folder = store.row(props.id)?.dto.value.output_path ?? "";
  return <FolderView api={`/api/instances/${props.id}/outputs`} root={`outputs/${folder}`} />;
}

function Body(props: { view: ToolsView }) {
  const { store } = useDashboard();
  const { view } = props;
  if ("id" in view && !store.row(view.id)) {
    return <p class="tools-note">This instance no longer exists.</p>;
  }
  switch (view.kind) {
    case "console":
      return <ConsoleView key={view.id} id={view.id} />;
    case "editor":
      return <EditorView key={view.id} id={view.id} />;
    case "app":
      return <AppView key={view.id} id={view.id} />;
    case "versions":
      return <VersionView key={view.id} id={view.id} />;
    case "runs":
      return <RunsView key={view.id} id={view.id} />;
    case "outputs":
      return <OutputsView key={view.id} id={view.id} />;
    case "models":
      return <FolderView key="models" api="/api/system/models" root="models" deletable downloads />;
    case "history":
      return <UsageHistoryView />;
    case "usage":
      return <InstanceUsageView key={view.id} id={view.id} />;
    case "disk":
      return <DiskUsageView />;
    case "trash":
      return <TrashView />;
    case "terminals":
      return <TerminalsView />;
    default:
      return <WelcomeView />;
  }
}

/**
 * The tools pane: one view at a time (logs, terminals, editor, app, versions, runs, outputs,
 * models, usage history, disk usage, trash).
 */
export function ToolsPane() {
  const d = useDashboard();
  const view = d.tools.view.value;
  const terminals = d.tools.terminals.value.length;
  return (
    <>
      <div class="pane-header">
        <h2 data-tools-title>{titleOf(view, d.store)}</h2>
        <div class="pane-actions">
          {terminals > 0 && view.kind !== "terminals" && (
            <button
              type="button"
              class="btn btn-sm"
              data-action="show-terminals"
              onClick={() => d.tools.open({ kind: "terminals" })}
            >
              Terminals ({terminals})
            </button>
          )}
          {view.kind !== "welcome" && (
            <button
              type="button"
              class="icon-btn"
              aria-label="Close the tool"
              data-action="close-tool"
              onClick={() => d.tools.close()}
            >
              ×
            </button>
          )}
        </div>
      </div>
      <div class="pane-body tools-body" data-view={view.kind}>
        <Body view={view} />
      </div>
    </>
  );
}
