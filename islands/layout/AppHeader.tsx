import { LogoutForm } from "../../components/AuthForm.tsx";
import { useDashboard } from "../core/dashboard_context.ts";
import type { Connection } from "../core/dashboard_store.ts";
import { statusSummary } from "../core/table_view.ts";

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  offline: "offline: retrying",
};

/** Brand, live-connection indicator, settings and sign-out. */
export function AppHeader(
  props: { csrfToken: string | null; authEnabled: boolean; version: string },
) {
  const { store, view } = useDashboard();
  const connection = store.connection.value;
  const summary = statusSummary([...store.rows.value.values()].map((r) => r.dto.value));
  return (
    <header class="app-header">
      <a class="brand" href="/">
        <img src="/static/favicon.svg" alt="" width={22} height={22} />
        AiKore
      </a>
      <span
        class={`connection connection-${connection}`}
        role="status"
        data-connection={connection}
      >
        {CONNECTION_TEXT[connection]}
      </span>
      <span class="status-summary" data-status-summary aria-label="Instances by status">
        <span>{summary.running} running</span>
        {summary.failed > 0 && (
          <button
            type="button"
            class="link-btn summary-failed"
            data-summary-failed
            title="Sort the table with failed instances first"
            onClick={() => {
              view.query.value = "";
              view.sort.value = "status";
            }}
          >
            {summary.failed} failed
          </button>
        )}
        <span>{summary.total} total</span>
      </span>
      <nav class="header-nav">
        <a href="/settings">Settings</a>
        {props.authEnabled && <LogoutForm csrfToken={props.csrfToken} />}
      </nav>
    </header>
  );
}
