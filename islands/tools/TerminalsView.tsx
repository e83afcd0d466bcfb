import { useEffect, useRef, useState } from "preact/hooks";
import { askAndCloseTerminal, openTerminal } from "../actions/terminal_actions.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import type { TerminalTab } from "../core/tools_state.ts";

type Pool = typeof import("../term/terminal_pool.ts");

function tabLabel(tabs: TerminalTab[], tab: TerminalTab, name: string): string {
  const same = tabs.filter((t) => t.instanceId === tab.instanceId);
  return same.length > 1 ? `${name} ${same.indexOf(tab) + 1}` : name;
}

/** Shell terminals of instances as tabs; each stays alive on the server across reloads. */
export function TerminalsView() {
  const d = useDashboard();
  const tabs = d.tools.terminals.value;
  const active = tabs.find((t) => t.id === d.tools.activeTerminal.value) ?? tabs.at(-1);
  const host = useRef<HTMLDivElement>(null);
  const [pool, setPool] = useState<Pool | null>(null);
  const [states, setStates] = useState<Record<string, string>>({});

  useEffect(() => {
    import("../term/terminal_pool.ts").then((module) => setPool(() => module)).catch(
      (error) => d.ui.toast("error", `Cannot load the terminal: ${error}`),
    );
  }, []);
  useEffect(
    () => pool?.onTerminalState((id, state) => setStates((s) => ({ ...s, [id]: state }))),
    [pool],
  );
  useEffect(() => pool?.keepOnly(new Set(tabs.map((t) => t.id))), [pool, tabs]);
  useEffect(() => {
    if (!pool || !host.current || !active) return;
    const session = pool.terminalSession(active.id, active.instanceId);
    if (d.tools.fresh.delete(active.id)) {
      // Until the shell prints its prompt (rc files can take long), say that it is coming.
      session.term.write("\x1b[2mstarting the shell (your rc files run first)…\x1b[0m\r\n");
    }
    for (const child of [...host.current.children]) {
      if (child !== session.element) child.remove();
    }
    session.mount(host.current);
    const endedReason = d.tools.ended.peek()[active.id];
    if (endedReason) session.end(endedReason);
    session.term.focus();
  }, [pool, active?.id]);
  const ended = d.tools.ended.value;

  if (!active) {
    return (
      <p class="tools-note">
        No terminal is open. Use <strong>Tools → Terminal</strong> on an instance.
      </p>
    );
  }
  return (
    <div class="terminals-view">
      <div class="tool-bar" role="tablist" aria-label="Terminals">
        {tabs.map((tab) => {
          const name = d.store.row(tab.instanceId)?.dto.value.name ?? `#${tab.instanceId}`;
          const state = ended[tab.id] ? "ended" : states[tab.id];
          return (
            <div class={`term-tab${tab.id === active.id ? " active" : ""}`} key={tab.id}>
              <button
                type="button"
                role="tab"
                aria-selected={tab.id === active.id}
                data-terminal-tab={tab.id}
                onClick={() => (d.tools.activeTerminal.value = tab.id)}
              >
                {tabLabel(tabs, tab, name)}
                {state === "exited" || state === "closed" || state === "ended" ? ` (${state})` : ""}
              </button>
              <button
                type="button"
                class="icon-btn"
                aria-label={`Close terminal ${tabLabel(tabs, tab, name)}`}
                onClick={() => void askAndCloseTerminal(d, tab, tabLabel(tabs, tab, name))}
              >
                ×
              </button>
            </div>
          );
        })}
        <button
          type="button"
          class="btn btn-sm"
          data-action="new-terminal"
          onClick={() => void openTerminal(d, active.instanceId)}
        >
          + New
        </button>
      </div>
      {ended[active.id] && (
        <p class="term-ended" role="status" data-terminal-ended>
          Terminal ended: {ended[active.id]}.{" "}
          <button
            type="button"
            class="btn btn-sm"
            onClick={() => void openTerminal(d, active.instanceId)}
          >
            Open a new terminal
          </button>
        </p>
      )}
      <div class="term-container" ref={host} data-terminal={active.id} />
    </div>
  );
}
