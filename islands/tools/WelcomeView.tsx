import { useDashboard } from "../core/dashboard_context.ts";

const LOGO = [
  " █████  ██ ██   ██  ██████  ██████  ███████",
  "██   ██ ██ ██  ██  ██    ██ ██   ██ ██",
  "███████ ██ █████   ██    ██ ██████  █████",
  "██   ██ ██ ██  ██  ██    ██ ██   ██ ██",
  "██   ██ ██ ██   ██  ██████  ██   ██ ███████",
].join("\n");

/** The idle view: the AiKore logo on a CRT (scanlines, glow and colour cycling in CSS). */
export function WelcomeView() {
  const { store } = useDashboard();
  const empty = store.rows.value.size === 0;
  return (
    <div class="welcome">
      <div class="crt" aria-hidden="true">
        <pre class="crt-logo">{LOGO}</pre>
        <div class="crt-scanlines" />
      </div>
      <p class="welcome-text">
        {empty
          ? (
            <>
              Create an instance with <strong>+ Add instance</strong>{" "}
              above; its logs, terminals and script open here.
            </>
          )
          : (
            <>
              Pick <strong>Logs</strong> or an entry of the <strong>Tools</strong>{" "}
              menu on an instance.
            </>
          )}
      </p>
    </div>
  );
}
