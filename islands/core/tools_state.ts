/**
 * What the tools pane shows, and the open terminal tabs. Both are remembered in localStorage
 * so that after a reload the pane comes back, with its terminals reattached.
 */
import { signal } from "@preact/signals";
import { loadJson, saveJson, STORAGE_KEYS } from "./storage.ts";

export type ToolsView =
  | { kind: "welcome" }
  | { kind: "console"; id: number }
  | { kind: "terminals" }
  | { kind: "editor"; id: number }
  | { kind: "app"; id: number }
  | { kind: "versions"; id: number }
  | { kind: "runs"; id: number }
  | { kind: "outputs"; id: number }
  | { kind: "models" }
  | { kind: "history" }
  | { kind: "usage"; id: number }
  | { kind: "disk" }
  | { kind: "trash" };

/** One terminal tab: a server-side terminal of an instance. */
export interface TerminalTab {
  id: string;
  instanceId: number;
}

const KINDS = new Set([
  "welcome",
  "console",
  "terminals",
  "editor",
  "app",
  "versions",
  "runs",
  "outputs",
  "models",
  "history",
  "usage",
  "disk",
  "trash",
]);

/** Whether a stored value is a tools view (storage is user-editable: never trust it). */
export function isToolsView(value: unknown): boolean {
  const view = value as { kind?: unknown; id?: unknown } | null;
  if (!view || typeof view.kind !== "string" || !KINDS.has(view.kind)) return false;
  const needsId = !["welcome", "terminals", "trash", "models", "history", "disk"].includes(
    view.kind,
  );
  return !needsId || (typeof view.id === "number" && Number.isInteger(view.id));
}

/** Whether a stored value is a list of terminal tabs. */
export function isTabList(value: unknown): boolean {
  return Array.isArray(value) &&
    value.every((tab) =>
      typeof tab?.id === "string" && /^[0-9a-f-]{36}$/.test(tab.id) &&
      typeof tab?.instanceId === "number"
    );
}

/** The tools pane's state. */
export class ToolsState {
  readonly view = signal<ToolsView>({ kind: "welcome" });
  readonly terminals = signal<TerminalTab[]>([]);
  readonly activeTerminal = signal<string | null>(null);
  /** Terminals opened by this page that have not been shown yet (they say "starting"). */
  readonly fresh = new Set<string>();
  /** Tabs whose terminal no longer exists on the server, with the reason (not stored). */
  readonly ended = signal<Readonly<Record<string, string>>>({});

  /** Loads the remembered view and tabs (browser only, after hydration). */
  restore(): void {
    this.terminals.value = loadJson<TerminalTab[]>(STORAGE_KEYS.terminals, [], isTabList);
    this.activeTerminal.value = this.terminals.value.at(-1)?.id ?? null;
    this.view.value = loadJson<ToolsView>(STORAGE_KEYS.toolsView, { kind: "welcome" }, isToolsView);
  }

  /** Asked before the current view is replaced (the editor with unsaved changes sets it). */
  #leaveGuard: (() => Promise<boolean>) | null = null;

  /** Sets or clears the question asked before leaving the current view. */
  guardLeave(guard: (() => Promise<boolean>) | null): void {
    this.#leaveGuard = guard;
  }

  /** Shows `view`; when the current view guards its leaving, only once the user agrees. */
  open(view: ToolsView): void {
    const guard = this.#leaveGuard;
    if (guard && JSON.stringify(view) !== JSON.stringify(this.view.value)) {
      guard().then((leave) => {
        if (!leave) return;
        this.#leaveGuard = null;
        this.#show(view);
      }).catch(() => {});
      return;
    }
    this.#show(view);
  }

  #show(view: ToolsView): void {
    this.view.value = view;
    saveJson(STORAGE_KEYS.toolsView, view);
  }

  close(): void {
    this.open({ kind: "welcome" });
  }

  addTerminal(tab: TerminalTab): void {
    this.setTerminals([...this.terminals.value.filter((t) => t.id !== tab.id), tab]);
    this.activeTerminal.value = tab.id;
    this.open({ kind: "terminals" });
  }

  markEnded(id: string, reason: string): void {
    this.ended.value = { ...this.ended.value, [id]: reason };
  }

  removeTerminal(id: string): void {
    const rest = this.terminals.value.filter((t) => t.id !== id);
    this.setTerminals(rest);
    if (this.activeTerminal.value === id) this.activeTerminal.value = rest.at(-1)?.id ?? null;
  }

  setTerminals(tabs: TerminalTab[]): void {
    this.terminals.value = tabs;
    saveJson(STORAGE_KEYS.terminals, tabs);
  }

  /** Views that show an instance that no longer exists fall back to the welcome view. */
  forgetInstance(id: number): void {
    const view = this.view.value;
    if ("id" in view && view.id === id) this.close();
  }
}
