import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { MenuItem, UiState } from "../core/ui_state.ts";
import { moveFocus } from "../ui/roving_focus.ts";

/** Props of {@link ToolsMenu}. */
export interface ToolsMenuProps {
  anchor: HTMLElement;
  items: MenuItem[];
  onClose: () => void;
  label: string;
}

function items(menu: HTMLElement): HTMLButtonElement[] {
  return [...menu.querySelectorAll<HTMLButtonElement>("button[role=menuitem]:not([disabled])")];
}

/**
 * A popup menu under its button (fixed position so the table's scroll box never clips it).
 * Arrow keys move, Escape or a click outside closes, focus returns to the button.
 */
export function ToolsMenu(props: ToolsMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const menu = ref.current;
    if (!menu) return;
    const box = props.anchor.getBoundingClientRect();
    const height = menu.offsetHeight;
    const below = box.bottom + 4 + height <= innerHeight;
    menu.style.top = `${below ? box.bottom + 4 : Math.max(4, box.top - 4 - height)}px`;
    menu.style.left = `${
      Math.max(4, Math.min(box.right - menu.offsetWidth, innerWidth - menu.offsetWidth - 4))
    }px`;
    items(menu)[0]?.focus();
    props.anchor.setAttribute("aria-expanded", "true");
    return () => props.anchor.setAttribute("aria-expanded", "false");
  }, []);
  useEffect(() => {
    const outside = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!ref.current?.contains(target) && !props.anchor.contains(target)) props.onClose();
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, []);
  const close = () => {
    props.onClose();
    props.anchor.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const menu = ref.current;
    if (!menu) return;
    if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      close();
    } else if (moveFocus(items(menu), event, "vertical")) {
      event.preventDefault();
    }
  };
  return (
    <div ref={ref} class="menu" role="menu" aria-label={props.label} onKeyDown={onKeyDown}>
      {props.items.map((item) => (
        <button
          type="button"
          role="menuitem"
          key={item.id}
          data-menu-item={item.id}
          disabled={Boolean(item.disabledReason)}
          title={item.disabledReason ?? undefined}
          onClick={() => {
            close();
            item.run();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}

/** Renders the page's open popup menu, if any. */
export function MenuHost(props: { ui: UiState }) {
  const menu = props.ui.menu.value;
  if (!menu) return null;
  return (
    <ToolsMenu
      key={menu.label}
      anchor={menu.anchor}
      label={menu.label}
      items={menu.items}
      onClose={() => (props.ui.menu.value = null)}
    />
  );
}
