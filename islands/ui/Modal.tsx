import type { ComponentChildren } from "preact";
import { useId, useLayoutEffect, useRef } from "preact/hooks";

/** Props of {@link Modal}. */
export interface ModalProps {
  title: string;
  /** Escape, the × button and Cancel buttons call this. */
  onCancel: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean | undefined;
}

const FOCUSABLE = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled])," +
  " textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hidden);
}

/**
 * A modal `<dialog>`: the rest of the page is inert while it is open, Tab cycles inside it,
 * Escape cancels, and focus returns to where it was when the dialog closes.
 */
export function Modal(props: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    const preferred = dialog.querySelector<HTMLElement>("[data-autofocus]") ??
      focusables(dialog).find((el) => !el.classList.contains("modal-close"));
    preferred?.focus();
    return () => {
      if (dialog.open) dialog.close();
      if (previous?.isConnected) previous.focus();
    };
  }, []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "Tab" || !ref.current) return;
    const items = focusables(ref.current);
    const first = items[0];
    const last = items.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };
  return (
    <dialog
      ref={ref}
      class={props.wide ? "modal modal-wide" : "modal"}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
      onKeyDown={onKeyDown}
    >
      <header class="modal-header">
        <h2 id={titleId}>{props.title}</h2>
        <button
          type="button"
          class="icon-btn modal-close"
          aria-label="Close"
          onClick={props.onCancel}
        >
          ×
        </button>
      </header>
      <div class="modal-body">{props.children}</div>
      {props.footer && <footer class="modal-footer">{props.footer}</footer>}
    </dialog>
  );
}
