import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import type { SessionState, XtermSession } from "../term/xterm_session.ts";
import { TerminalSearch } from "./TerminalSearch.tsx";

type ViewState = { state: SessionState | "loading"; detail: string | null };

const consolePath = (id: number, input: boolean) =>
  `/api/instances/${id}/console${input ? "?input=1" : ""}`;

function describe(view: ViewState): string {
  switch (view.state) {
    case "loading":
      return "loading…";
    case "connecting":
      return view.detail === "reconnecting" ? "reconnecting…" : "connecting…";
    case "open":
      return view.detail === "read-only" ? "live (read-only)" : "live, input on";
    case "exited":
      return `not running (${view.detail ?? "ended"})`;
    default:
      return `disconnected${view.detail ? `: ${view.detail}` : ""}`;
  }
}

/** The instance's own output (replayed on attach), with search, follow, input and download. */
export function ConsoleView(props: { id: number }) {
  const { store } = useDashboard();
  const status = store.row(props.id)?.dto.value.status ?? "stopped";
  const host = useRef<HTMLDivElement>(null);
  const session = useRef<XtermSession | null>(null);
  const [view, setView] = useState<ViewState>({ state: "loading", detail: null });
  const [follow, setFollow] = useState(true);
  const followRef = useRef(follow);
  followRef.current = follow;
  const [allowInput, setAllowInput] = useState(false);
  const lastStatus = useRef(status);

  const reconnect = (input: boolean) => {
    session.current?.term.reset();
    session.current?.connect(consolePath(props.id, input));
  };
  useEffect(() => {
    let disposed = false;
    import("../term/xterm_session.ts").then(({ XtermSession }) => {
      if (disposed || !host.current) return;
      const created = new XtermSession({
        onState: (state, detail) => setView({ state, detail }),
        follow: () => followRef.current,
      });
      session.current = created;
      created.mount(host.current);
      created.connect(consolePath(props.id, false));
    }).catch((error) => setView({ state: "closed", detail: errorText(error) }));
    return () => {
      disposed = true;
      session.current?.dispose();
      session.current = null;
    };
  }, []);
  useEffect(() => {
    const before = lastStatus.current;
    lastStatus.current = status;
    // A new run: attach to it (the old run's tail was shown while it was stopped).
    if (status === "starting" && before !== "starting" && session.current?.state !== "open") {
      reconnect(allowInput);
    }
  }, [status]);

  return (
    <div class="console-view">
      <div class="tool-bar">
        <TerminalSearch session={session} />
        <button
          type="button"
          class="btn btn-sm"
          aria-pressed={follow}
          data-action="follow"
          title="Keep the newest output in view"
          onClick={() => setFollow(!follow)}
        >
          {follow ? "Following" : "Scroll locked"}
        </button>
        <label class="toggle" title="Lets your keystrokes reach the app's terminal">
          <input
            type="checkbox"
            data-action="allow-input"
            checked={allowInput}
            onChange={(event) => {
              setAllowInput(event.currentTarget.checked);
              reconnect(event.currentTarget.checked);
            }}
          />
          Allow input
        </label>
        <a
          class="btn btn-sm"
          href={`/api/instances/${props.id}/logs/download`}
          download
          data-action="download-log"
          title="The log as written, with colours and progress redraws"
        >
          Download log
        </a>
        <a
          class="btn btn-sm"
          href={`/api/instances/${props.id}/logs/download?plain=1`}
          download
          data-action="download-text"
          title="The text as the terminal showed it: no colours, each progress bar at its last state"
        >
          As text
        </a>
        <span class="tool-status muted" data-console-state={view.state}>{describe(view)}</span>
        {view.state === "closed" && (
          <button
            type="button"
            class="btn btn-sm"
            onClick={() => reconnect(allowInput)}
          >
            Reconnect
          </button>
        )}
      </div>
      <div class="term-container" ref={host} data-console={props.id} />
    </div>
  );
}
