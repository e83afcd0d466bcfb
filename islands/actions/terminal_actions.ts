/** Opening and closing server-side terminals (tabs survive reloads through localStorage). */
import type { TerminalInfo } from "../../lib/shared/terminal_list.ts";
import { ApiError, errorText } from "../core/api_client.ts";
import type { Dashboard } from "../core/dashboard_context.ts";
import type { TerminalTab } from "../core/tools_state.ts";

/** Opens a new terminal of `instanceId` and shows it. */
export async function openTerminal(d: Dashboard, instanceId: number): Promise<void> {
  const name = d.store.row(instanceId)?.dto.value.name ?? `#${instanceId}`;
  try {
    const opened = await d.api.post<{ id: string }>(`/api/instances/${instanceId}/terminals`);
    d.tools.fresh.add(opened.id);
    d.tools.addTerminal({ id: opened.id, instanceId });
  } catch (error) {
    const limit = error instanceof ApiError && error.code === "terminal_limit";
    d.ui.toast(
      "error",
      limit
        ? `No terminal opened for "${name}": ${error.message}`
        : `Cannot open a terminal for "${name}": ${errorText(error)}`,
    );
  }
}

/** Shows the newest terminal of `instanceId`, or opens one. */
export function showTerminal(d: Dashboard, instanceId: number): Promise<void> {
  const existing = d.tools.terminals.value.filter((t) => t.instanceId === instanceId).at(-1);
  if (!existing) return openTerminal(d, instanceId);
  d.tools.activeTerminal.value = existing.id;
  d.tools.open({ kind: "terminals" });
  return Promise.resolve();
}

/** Whether the terminal's shell runs a job now (a download, a training); null when unknown. */
async function runsJob(d: Dashboard, tab: TerminalTab): Promise<boolean | null> {
  try {
    const list = await d.api.get<{ terminals: TerminalInfo[] }>(
      `/api/instances/${tab.instanceId}/terminals`,
    );
    return list.terminals.find((terminal) => terminal.id === tab.id)?.running_job ?? null;
  } catch {
    return null; // the question below still asks
  }
}

/**
 * Closes a terminal once the user agrees: closing ends its shell and whatever runs in it, so the
 * question says when a job runs there now. An ended tab closes without asking.
 */
export async function askAndCloseTerminal(
  d: Dashboard,
  tab: TerminalTab,
  label: string,
): Promise<void> {
  if (d.tools.ended.peek()[tab.id] === undefined) {
    const job = await runsJob(d, tab);
    const sure = await d.ui.confirm({
      title: job
        ? `Close the terminal "${label}" while it runs a job?`
        : `Close the terminal "${label}"?`,
      message: job
        ? "A job runs in it now (a download, a training): closing the terminal ends its shell " +
          "and the job with it."
        : "The shell ends, and so does any program still running in it.",
      confirmLabel: "Close terminal",
      danger: true,
    });
    if (!sure) return;
  }
  await closeTerminal(d, tab.id);
}

/** Closes a terminal on the server and removes its tab. */
async function closeTerminal(d: Dashboard, id: string): Promise<void> {
  try {
    await d.api.del(`/api/terminals/${id}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      d.ui.toast("error", `Cannot close the terminal: ${errorText(error)}`);
      return;
    }
  }
  d.tools.removeTerminal(id);
}

/** The terminal ids alive on the server among the open tabs' instances. */
async function aliveTerminals(d: Dashboard): Promise<Set<string>> {
  const tabs = d.tools.terminals.value;
  const instances = [...new Set(tabs.map((t) => t.instanceId))];
  const alive = new Set<string>();
  for (const id of instances) {
    try {
      const list = await d.api.get<{ terminals: Array<{ id: string }> }>(
        `/api/instances/${id}/terminals`,
      );
      for (const terminal of list.terminals) alive.add(terminal.id);
    } catch {
      // the instance is gone: its tabs go too
    }
  }
  return alive;
}

/**
 * After a resync: tabs whose terminal is gone stay, marked "ended" with the reason (their
 * view says so and offers a new one); the others reattach if their retries ran out.
 * Returns how many ended.
 */
export async function resyncTerminals(d: Dashboard, reason: string): Promise<number> {
  if (d.tools.terminals.value.length === 0) return 0;
  const alive = await aliveTerminals(d);
  const pool = await import("../term/terminal_pool.ts");
  let ended = 0;
  for (const tab of d.tools.terminals.value) {
    if (alive.has(tab.id)) {
      pool.reviveTerminal(tab.id);
      continue;
    }
    if (d.tools.ended.value[tab.id]) continue;
    d.tools.markEnded(tab.id, reason);
    pool.endTerminal(tab.id, reason);
    ended++;
  }
  return ended;
}

/** Drops remembered tabs whose terminals ended (after a server restart, idle reaping …). */
export async function pruneEndedTerminals(d: Dashboard): Promise<void> {
  const alive = await aliveTerminals(d);
  const kept = d.tools.terminals.value.filter((t) => alive.has(t.id));
  if (kept.length !== d.tools.terminals.value.length) {
    d.tools.setTerminals(kept);
    if (!kept.some((t) => t.id === d.tools.activeTerminal.value)) {
      d.tools.activeTerminal.value = kept.at(-1)?.id ?? null;
    }
  }
}
