import { useDashboard } from "../core/dashboard_context.ts";
import { appUrl, openBlocker } from "../core/status.ts";

/** The instance's web app in a frame (its URL comes from the server, never built here). */
export function AppView(props: { id: number }) {
  const { store } = useDashboard();
  const dto = store.row(props.id)?.dto.value;
  if (!dto) return null;
  const blocker = openBlocker(dto);
  const url = appUrl(dto, "pane");
  if (blocker || !url) {
    return <p class="tools-note" data-app-blocked>{blocker ?? "No address is published"}</p>;
  }
  return (
    <div class="app-view">
      <div class="tool-bar">
        <span class="muted mono">{url}</span>
        <a class="btn btn-sm" href={appUrl(dto, "tab") ?? url} target="_blank" rel="noopener">
          Open in a new tab ↗
        </a>
      </div>
      <iframe class="app-frame" src={url} title={`App: ${dto.name}`} data-app-frame={dto.id} />
    </div>
  );
}
