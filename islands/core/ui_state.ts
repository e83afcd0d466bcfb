/**
 * Toasts and modal dialogs as state: flows ask `await ui.choose(…)` / `ui.prompt(…)` and get
 * the user's answer (never window.confirm/prompt/alert).
 */
import { signal } from "@preact/signals";
import type { ComponentChildren } from "preact";

export type ToastKind = "success" | "error" | "info";

/** A button in a toast (e.g. "Show log"). */
export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  action?: ToastAction;
}

/** One entry of a popup menu. */
export interface MenuItem {
  id: string;
  label: string;
  disabledReason?: string | null;
  run: () => void;
}

/** The open popup menu: its items, under the button that opened it. */
export interface OpenMenu {
  anchor: HTMLElement;
  label: string;
  items: MenuItem[];
}

/** A button of a choice dialog. */
export interface Choice {
  id: string;
  label: string;
  tone?: "primary" | "danger";
}

/** One input of a prompt dialog. */
export interface PromptField {
  name: string;
  label: string;
  value: string;
  placeholder?: string;
  /** Follows other fields (e.g. a slug proposed from the name) until the user edits it. */
  derive?: (values: Record<string, string>) => string;
  /** Why the current value is refused, or null. */
  problem?: (value: string, values: Record<string, string>) => string | null;
  monospace?: boolean;
  /** A secret (a token): typed into a password field, never offered by autofill. */
  secret?: boolean;
}

export type ModalRequest =
  | {
    kind: "choice";
    title: string;
    message: ComponentChildren;
    choices: Choice[];
    resolve: (choice: string | null) => void;
  }
  | {
    kind: "prompt";
    title: string;
    message?: ComponentChildren;
    fields: PromptField[];
    confirmLabel: string;
    resolve: (values: Record<string, string> | null) => void;
  }
  | {
    kind: "custom";
    title: string;
    render: (close: () => void) => ComponentChildren;
    resolve: () => void;
    wide?: boolean;
  };

type ChoiceOptions = { title: string; message: ComponentChildren; choices: Choice[] };
type PromptOptions = {
  title: string;
  message?: ComponentChildren;
  fields: PromptField[];
  confirmLabel: string;
};

/** Toasts and the modal stack of a page. */
export class UiState {
  readonly toasts = signal<Toast[]>([]);
  readonly modals = signal<ModalRequest[]>([]);
  /** At most one popup menu is open. */
  readonly menu = signal<OpenMenu | null>(null);
  #nextId = 1;

  toast(kind: ToastKind, text: string, action?: ToastAction): void {
    const id = this.#nextId++;
    const toast: Toast = action ? { id, kind, text, action } : { id, kind, text };
    this.toasts.value = [...this.toasts.value, toast].slice(-6);
    setTimeout(() => this.dismiss(id), kind === "error" ? 20_000 : 6_000);
  }

  dismiss(id: number): void {
    this.toasts.value = this.toasts.value.filter((t) => t.id !== id);
  }

  #push<T>(make: (resolve: (value: T) => void) => ModalRequest): Promise<T> {
    return new Promise<T>((resolve) => {
      const request = make((value: T) => {
        this.modals.value = this.modals.value.filter((m) => m !== request);
        resolve(value);
      });
      this.modals.value = [...this.modals.value, request];
    });
  }

  /** Asks the user to pick one of `choices`; null when dismissed. */
  choose(options: ChoiceOptions): Promise<string | null> {
    return this.#push<string | null>((resolve) => ({ kind: "choice", ...options, resolve }));
  }

  /** A yes/cancel question. */
  async confirm(
    options: { title: string; message: ComponentChildren; confirmLabel: string; danger?: boolean },
  ): Promise<boolean> {
    const choice = await this.choose({
      title: options.title,
      message: options.message,
      choices: [{
        id: "yes",
        label: options.confirmLabel,
        tone: options.danger ? "danger" : "primary",
      }],
    });
    return choice === "yes";
  }

  /** Asks for text values; null when cancelled. */
  prompt(options: PromptOptions): Promise<Record<string, string> | null> {
    return this.#push<Record<string, string> | null>((resolve) => ({
      kind: "prompt",
      ...options,
      resolve,
    }));
  }

  /** Shows custom content until it calls `close`. */
  show(
    title: string,
    render: (close: () => void) => ComponentChildren,
    wide = false,
  ): Promise<void> {
    return this.#push<void>((resolve) => ({ kind: "custom", title, render, resolve, wide }));
  }
}
