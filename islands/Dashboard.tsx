import { useEffect, useState } from "preact/hooks";
import { afterResync } from "./actions/resync.ts";
import { pruneEndedTerminals } from "./actions/terminal_actions.ts";
import { createDashboard, DashboardContext } from "./core/dashboard_context.ts";
import { connectEvents } from "./core/event_stream.ts";
import type { DashboardProps } from "./core/types.ts";
import { AppHeader } from "./layout/AppHeader.tsx";
import { ConnectionBanner } from "./layout/ConnectionBanner.tsx";
import { LegacyImportBanner } from "./layout/LegacyImportBanner.tsx";
import { useSplitPanes } from "./layout/use_split_panes.ts";
import { SystemMonitor } from "./monitor/SystemMonitor.tsx";
import { InstancesPane } from "./table/InstancesPane.tsx";
import { MenuHost } from "./table/ToolsMenu.tsx";
import { ToolsPane } from "./tools/ToolsPane.tsx";
import { ModalHost } from "./ui/ModalHost.tsx";
import { Toasts } from "./ui/Toasts.tsx";

/**
 * The dashboard island: instances on top; tools and the system monitor below, in resizable
 * panes. One store, fed by the event stream.
 */
export default function Dashboard(props: DashboardProps) {
  const [d] = useState(() => createDashboard(props));
  useEffect(() => {
    d.tools.restore();
    d.view.restore();
    if (d.tools.terminals.value.length) void pruneEndedTerminals(d);
    return connectEvents(d.store, {
      onSessionEnded: () => location.assign(`/login?next=${encodeURIComponent("/")}`),
      onResync: (resync) => void afterResync(d, resync),
    });
  }, []);
  useSplitPanes();
  return (
    <DashboardContext.Provider value={d}>
      <div class="app">
        <a class="skip-link" href="#pane-tools" data-skip-link>Skip to the tools pane</a>
        <AppHeader
          csrfToken={props.csrfToken}
          authEnabled={props.authEnabled}
          version={props.version}
        />
        <ConnectionBanner />
        <LegacyImportBanner />
        <main class="panes" id="panes">
          <section class="pane pane-instances" id="pane-instances" aria-label="Instances">
            <InstancesPane />
          </section>
          <div class="pane-bottom" id="pane-bottom">
            <section class="pane pane-tools" id="pane-tools" aria-label="Tools" tabIndex={-1}>
              <ToolsPane />
            </section>
            <section class="pane pane-monitor" id="pane-monitor" aria-label="System monitor">
              <SystemMonitor />
            </section>
          </div>
        </main>
      </div>
      <Toasts ui={d.ui} />
      <ModalHost ui={d.ui} />
      <MenuHost ui={d.ui} />
    </DashboardContext.Provider>
  );
}
