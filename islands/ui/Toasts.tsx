import type { UiState } from "../core/ui_state.ts";

/** The toast stack (bottom left, over the tools pane: never over the monitor); errors are announced assertively. */
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
          {toast.action && (
            <button
              type="button"
              class="btn btn-sm"
              data-toast-action
              onClick={() => {
                toast.action?.run();
                ui.dismiss(toast.id);
              }}
            >
              {toast.action.label}
            </button>
          )}
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
