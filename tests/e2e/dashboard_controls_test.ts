/**
 * Dashboard controls in Chromium: modals and the tools menu by keyboard (focus trapped,
 * Escape closes, focus restored), the trash "overwrite" flow on a real 409 trash_conflict,
 * reordering groups by keyboard and by drag and drop (stored server-side), and split sizes
 * remembered across a reload.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { type BrowserHarness, startBrowserHarness } from "../helpers/browser.ts";
import { modal, row, waitForToast } from "./dashboard_page.ts";

async function create(b: BrowserHarness, name: string): Promise<number> {
  const response = await b.harness.fetch("/api/instances", {
    method: "POST",
    body: JSON.stringify({ name, base_blueprint: "log_ready.sh" }),
  });
  return ((await response.json()) as { id: number }).id;
}

const focusedAction = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute("data-action") ?? null);

async function keyboardModalAndMenu(page: Page): Promise<void> {
  const deleteButton = row(page, "one").locator('[data-action="delete"]');
  await deleteButton.focus();
  await page.keyboard.press("Enter");
  const dialog = modal(page);
  await dialog.waitFor();
  // Focus starts inside; Tab and Shift+Tab never leave the dialog.
  for (const key of ["Tab", "Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]) {
    await page.keyboard.press(key);
    assert(await dialog.evaluate((d) => d.contains(document.activeElement)), `left on ${key}`);
  }
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assertEquals(await focusedAction(page), "delete");

  await row(page, "one").locator('[data-action="tools"]').focus();
  await page.keyboard.press("Enter");
  const menu = page.locator("[role=menu]");
  await menu.waitFor();
  assertEquals(
    await page.evaluate(() => document.activeElement?.getAttribute("data-menu-item")),
    "terminal",
  );
  await page.keyboard.press("ArrowDown");
  assertEquals(
    await page.evaluate(() => document.activeElement?.getAttribute("data-menu-item")),
    "editor",
  );
  await page.keyboard.press("Escape");
  await menu.waitFor({ state: "detached" });
  assertEquals(await focusedAction(page), "tools");
}

async function trashOverwrite(b: BrowserHarness, page: Page): Promise<void> {
  const first = await create(b, "dup");
  await b.harness.fetch(`/api/instances/${first}`, {
    method: "DELETE",
    body: JSON.stringify({ mode: "trash" }),
  }).then((r) => r.body?.cancel());
  await create(b, "dup");
  await row(page, "dup").locator('[data-action="delete"]').click();
  await modal(page).locator('[data-choice="trash"]').click();
  const overwrite = modal(page);
  await overwrite.getByText("The trash already holds").waitFor();
  await overwrite.locator('[data-choice="yes"]').click();
  await waitForToast(page, '"dup" moved to the trash.');
  await row(page, "dup").waitFor({ state: "detached" });
  const trash = await (await b.harness.fetch("/api/trash")).json();
  assertEquals(trash.entries.filter((e: { slug: string }) => e.slug === "dup").length, 1);
}

async function reorder(b: BrowserHarness, page: Page, ids: number[]): Promise<void> {
  const slugs = () =>
    page.locator("tbody[data-group] tr.instance-row").evaluateAll((rows) =>
      rows.map((r) => r.getAttribute("data-slug"))
    );
  const stored = async () =>
    ((await (await b.harness.fetch("/api/display-order")).json()) as { order: number[] }).order;
  assertEquals(await slugs(), ["one", "two", "three"]);
  await row(page, "one").locator(".drag-handle").focus();
  await page.keyboard.press("Alt+ArrowDown");
  await page.waitForFunction(() =>
    document.querySelector("tbody[data-group] tr")?.getAttribute("data-slug") === "two"
  );
  assertEquals(await slugs(), ["two", "one", "three"]);
  const [one, two, three] = ids as [number, number, number];
  assertEquals(await stored(), [two, one, three]);
  await row(page, "three").locator(".drag-handle").dragTo(row(page, "two"), {
    targetPosition: { x: 40, y: 2 },
  });
  await page.waitForFunction(() =>
    document.querySelector("tbody[data-group] tr")?.getAttribute("data-slug") === "three"
  );
  assertEquals(await slugs(), ["three", "two", "one"]);
  assertEquals(await stored(), [three, two, one]);
}

async function splitRemembered(page: Page): Promise<void> {
  const gutter = page.locator(".gutter-vertical");
  const box = await gutter.boundingBox();
  assert(box, "no vertical gutter");
  const before = await page.locator("#pane-instances").evaluate((el) => el.clientHeight);
  await page.mouse.move(box.x + 200, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 200, box.y - 120, { steps: 6 });
  await page.mouse.up();
  const after = await page.locator("#pane-instances").evaluate((el) => el.clientHeight);
  assert(after < before - 80, `pane did not shrink (${before} → ${after})`);
  await page.reload();
  await page.waitForSelector("[data-island][data-hydrated]");
  const reloaded = await page.locator("#pane-instances").evaluate((el) => el.clientHeight);
  assert(Math.abs(reloaded - after) <= 3, `size not remembered (${after} → ${reloaded})`);
}

Deno.test({
  name: "dashboard controls: keyboard modals and menu, trash overwrite, reorder, split sizes",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b = await startBrowserHarness();
    try {
      const ids = [await create(b, "one"), await create(b, "two"), await create(b, "three")];
      const { page } = b;
      await b.login();
      await keyboardModalAndMenu(page);
      await reorder(b, page, ids);
      await trashOverwrite(b, page);
      await splitRemembered(page);
      assertMatch(await page.locator("[data-no-gpu]").innerText(), /^No GPU telemetry: /);
      assertEquals(await b.collectProblems(), []);
    } catch (error) {
      await b.screenshot("controls-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
    }
  },
});
