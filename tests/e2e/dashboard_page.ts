/** Page-object helpers for the dashboard in Chromium (selectors live here, not in tests). */
import type { Locator, Page } from "playwright-core";

/** The table row of the instance with `slug`. */
export function row(page: Page, slug: string): Locator {
  return page.locator(`tr.instance-row[data-slug="${slug}"]`);
}

/** Waits until the row's live status badge shows `status`. */
export async function waitForStatus(
  page: Page,
  slug: string,
  status: string,
  timeout = 20_000,
): Promise<void> {
  await row(page, slug).locator(`[data-status="${status}"]`).waitFor({ timeout });
}

/** Clicks a row action button (start, stop, logs, tools, delete, view, revert). */
export async function rowAction(page: Page, slug: string, action: string): Promise<void> {
  await row(page, slug).locator(`[data-action="${action}"]`).click();
}

/** Opens the row's tools menu and picks an entry (terminal, editor, versions …). */
export async function toolsMenu(page: Page, slug: string, item: string): Promise<void> {
  await rowAction(page, slug, "tools");
  await page.locator(`[role=menu] [data-menu-item="${item}"]`).click();
}

/** The visible text of the xterm in `container` (rows rendered by the DOM renderer). */
export function terminalText(page: Page, container: string): Promise<string> {
  return page.locator(`${container} .xterm-rows`).innerText();
}

/** Waits until the xterm in `container` shows `text`. */
export async function waitForTerminalText(
  page: Page,
  container: string,
  text: string | RegExp,
  timeout = 15_000,
): Promise<void> {
  await page.waitForFunction(
    ([selector, wanted, flags]) => {
      const rows = document.querySelector<HTMLElement>(`${selector} .xterm-rows`);
      const content = rows?.innerText ?? "";
      const squashed = content.replace(/\u00a0/g, " ");
      return flags === null ? squashed.includes(wanted) : new RegExp(wanted, flags).test(squashed);
    },
    [
      container,
      text instanceof RegExp ? text.source : text,
      text instanceof RegExp ? text.flags : null,
    ] as const,
    { timeout },
  );
}

/** The open modal dialog. */
export function modal(page: Page): Locator {
  return page.locator("dialog.modal[open]").last();
}

/** Waits for a toast containing `text`; returns its locator. */
export async function waitForToast(page: Page, text: string | RegExp): Promise<Locator> {
  const toast = page.locator(".toast", { hasText: text }).first();
  await toast.waitFor({ timeout: 15_000 });
  return toast;
}

/**
 * Waits for a toast and dismisses it: for words the flow shows again later ("1 instance
 * updated."), whose next wait must not be answered by this toast still on screen.
 */
export async function consumeToast(page: Page, text: string | RegExp): Promise<void> {
  const toast = await waitForToast(page, text);
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await toast.waitFor({ state: "detached" });
}
