/**
 * Arrow-key focus within a group that is one tab stop (a menu, a row's toolbar): the arrows of
 * its direction move to the next or previous item (wrapping), Home and End to the first and last.
 */

const KEYS = {
  vertical: { next: "ArrowDown", previous: "ArrowUp" },
  horizontal: { next: "ArrowRight", previous: "ArrowLeft" },
} as const;

/**
 * Moves the focus among `items` for `event`'s key; true when the key was one of the group's
 * (the caller then prevents its default).
 */
export function moveFocus(
  items: HTMLElement[],
  event: KeyboardEvent,
  direction: keyof typeof KEYS,
): boolean {
  const keys = KEYS[direction];
  const at = items.indexOf(document.activeElement as HTMLElement);
  let target: HTMLElement | undefined;
  if (event.key === keys.next || event.key === keys.previous) {
    const step = event.key === keys.next ? 1 : -1;
    target = items[(at + step + items.length) % items.length];
  } else if (event.key === "Home" || event.key === "End") {
    target = event.key === "Home" ? items[0] : items.at(-1);
  } else {
    return false;
  }
  target?.focus();
  return true;
}

/** The items of a toolbar that can take the focus: enabled buttons and links with an address. */
export function toolbarItems(toolbar: HTMLElement): HTMLElement[] {
  return [...toolbar.querySelectorAll<HTMLElement>("button:not(:disabled), a[href]")];
}

/** The keydown handler of a toolbar (`role="toolbar"`, its items one tab stop). */
export function onToolbarKey(event: KeyboardEvent): void {
  const toolbar = event.currentTarget as HTMLElement;
  if (moveFocus(toolbarItems(toolbar), event, "horizontal")) event.preventDefault();
}
