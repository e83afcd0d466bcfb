import type { UiState } from "../core/ui_state.ts";

/** The toast stack (top right); errors are announced assertively. */
export function Toasts(props: { ui: UiState }) {
  const { ui } = props;
  return (
    <div class="toasts" aria-live="polite">
      {ui.toasts.value.map((toast) => (
        <div
          key={toast.id}
          class={`toast toast-${toast.kind}`}
          role={toast.kind === "error" ? "alert" : "status"}
        >
          <span class="toast-text">{toast.text}</span>
          <button
            type="button"
            class="icon-btn"
            aria-label="Dismiss"
            onClick={() => ui.dismiss(toast.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
