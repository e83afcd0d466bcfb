import { LogoutForm } from "../../components/AuthForm.tsx";
import { useDashboard } from "../core/dashboard_context.ts";
import type { Connection } from "../core/dashboard_store.ts";

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
  const { store } = useDashboard();
  const connection = store.connection.value;
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
      <nav class="header-nav">
        <a href="/settings">Settings</a>
        {props.authEnabled && <LogoutForm csrfToken={props.csrfToken} />}
      </nav>
    </header>
  );
}
