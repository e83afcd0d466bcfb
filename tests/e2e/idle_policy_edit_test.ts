/**
 * The idle-stop policy edited in Chromium, by keyboard, against a real AiKore: set in a row
 * through the unsaved-edit flow and saved (the API has it), cleared again, a bad value named
 * while typing and refused by the server (422 shown in the save list, nothing changed), and set
 * in the create row.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { type BrowserHarness, startBrowserHarness } from "../helpers/browser.ts";
import { consumeToast, modal, row, waitForToast } from "./dashboard_page.ts";

type Dto = { id: number; idle_stop_minutes: number | null; name: string };

const RANGE_PROBLEM = "must be in 0-10080 minutes (0 or null: off)";

async function stored(b: BrowserHarness, id: number): Promise<Dto> {
  return await (await b.harness.fetch(`/api/instances/${id}`)).json() as Dto;
}

/** Focuses the idle-stop input by Tab from the restart policy select, and types `text`. */
async function typeIdleStop(page: Page, slug: string, text: string): Promise<void> {
  await row(page, slug).getByLabel(`Restart policy of ${slug}`).focus();
  await page.keyboard.press("Tab");
  const label = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
  assertEquals(label, `Idle stop of ${slug}, in minutes (empty: off)`, "Tab reaches the field");
  await page.keyboard.press("Control+A");
  if (text === "") await page.keyboard.press("Backspace");
  else await page.keyboard.type(text);
}

/** Save changes → the change list → Save; the dialog's text before applying. */
async function saveAll(page: Page): Promise<string> {
  await page.locator('[data-action="save-changes"]').click();
  const dialog = modal(page);
  await dialog.waitFor();
  const listed = await dialog.locator(".change-list").innerText();
  await dialog.locator('[data-action="apply-changes"]').click();
  return listed;
}

async function setClearAndRefuse(b: BrowserHarness, page: Page, id: number): Promise<void> {
  const keeper = row(page, "keeper");
  await typeIdleStop(page, "keeper", "30");
  await keeper.locator('[data-field="idle_stop_minutes"].field-dirty').waitFor();
  assertEquals(await page.locator('[data-action="save-changes"]').innerText(), "Save changes (1)");
  assertMatch(await saveAll(page), /Idle stop: off → 30 min/);
  await consumeToast(page, "1 instance updated.");
  assertEquals((await stored(b, id)).idle_stop_minutes, 30);
  assertEquals(await keeper.locator("[data-idle-policy]").innerText(), "idle stop: 30 min");
  assertEquals(await page.locator("tr.row-dirty").count(), 0);

  await typeIdleStop(page, "keeper", "");
  assertMatch(await saveAll(page), /Idle stop: 30 min → off/);
  await consumeToast(page, "1 instance updated.");
  assertEquals((await stored(b, id)).idle_stop_minutes, null);
  await keeper.locator("[data-idle-policy]").waitFor({ state: "detached" });

  // A bad value: named while typing (the server's rule), refused by the server, nothing saved.
  await typeIdleStop(page, "keeper", "20000");
  await b.screenshot("idle-policy-problem", page);
  const input = keeper.locator('[data-field="idle_stop_minutes"]');
  assertEquals(await input.getAttribute("aria-invalid"), "true");
  assertEquals(
    await keeper.locator('[data-problem="idle_stop_minutes"]').innerText(),
    `Idle stop ${RANGE_PROBLEM}`,
  );
  await saveAll(page);
  await waitForToast(page, "1 update failed; see the list.");
  const error = modal(page).locator('[data-change-row="keeper"] .form-error[role=alert]');
  assertEquals(await error.innerText(), `Idle stop: ${RANGE_PROBLEM}`);
  await page.keyboard.press("Escape");
  assertEquals((await stored(b, id)).idle_stop_minutes, null, "nothing changed");
  assertEquals(await input.inputValue(), "20000", "the draft is kept to be fixed");
  await keeper.locator('[data-action="revert"]').click();
  assertEquals(await input.inputValue(), "");
  assertEquals(await page.locator("tr.row-dirty").count(), 0);
}

async function createWithPolicy(b: BrowserHarness, page: Page): Promise<void> {
  await page.click('[data-action="add-instance"]');
  const fresh = page.locator("tr[data-new-row]");
  await fresh.getByLabel("Name of the new instance").fill("Sleeper");
  await fresh.getByLabel("Blueprint of the new instance").selectOption("log_ready.sh");
  const idle = fresh.getByLabel("Idle stop of the new instance, in minutes (empty: off)");
  await idle.fill("soon");
  assertEquals(
    await fresh.locator('[data-problem="idle_stop_minutes"]').innerText(),
    "Idle stop must be a whole number of minutes (0 or null: off)",
  );
  assert(await fresh.locator('[data-action="create"]').isDisabled(), "Create waits for a fix");
  await idle.fill("5");
  await fresh.locator('[data-action="create"]').click();
  await waitForToast(page, 'Instance "Sleeper" created.');
  const id = Number(await row(page, "sleeper").getAttribute("data-instance-id"));
  assertEquals((await stored(b, id)).idle_stop_minutes, 5);
  assertEquals(
    await row(page, "sleeper").locator("[data-idle-policy]").innerText(),
    "idle stop: 5 min",
  );
}

Deno.test({
  name:
    "the idle-stop policy is set, cleared, refused when bad, and set at creation in the dashboard",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b = await startBrowserHarness();
    try {
      const created = await b.harness.fetch("/api/instances", {
        method: "POST",
        body: JSON.stringify({ name: "keeper", base_blueprint: "log_ready.sh" }),
      });
      const keeper = await created.json() as Dto;
      assertEquals(created.status, 201, JSON.stringify(keeper));
      await b.login();
      await setClearAndRefuse(b, b.page, keeper.id);
      await createWithPolicy(b, b.page);
      assertEquals(await b.collectProblems(), []);
    } finally {
      await b.close();
    }
  },
});
