/**
 * Accessibility and keyboard use in Chromium: axe-core finds no serious or critical
 * violation on the setup, login, dashboard (also with the folder browser open) and settings
 * pages; a keyboard alone creates an instance, starts it, opens its logs and stops it, with
 * focus kept on the row; the skip link and the pane dividers work from the keyboard; unsaved
 * script edits prompt before they are lost and survive a "keep editing".
 */
import axe from "axe-core";
import { chromium, type Page } from "playwright-core";
import { assert, assertEquals } from "../helpers/assert.ts";
import { createAuthTestApp } from "../helpers/auth_app.ts";
import {
  type BrowserHarness,
  CHROMIUM,
  CHROMIUM_ARGS,
  startBrowserHarness,
} from "../helpers/browser.ts";
import { modal, row, waitForStatus, waitForTerminalText } from "./dashboard_page.ts";
import { payloadOf, serveFile } from "../../lib/downloads/test_support.ts";

type AxeResult = {
  passes: unknown[];
  violations: Array<{ id: string; impact: string | null; nodes: unknown[] }>;
};

/** Serious and critical axe violations of the page, as "rule (n nodes)". */
async function axeProblems(page: Page): Promise<string[]> {
  // Injected through the DevTools protocol: the page's CSP stays untouched.
  await page.evaluate(axe.source);
  const result = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run: (n: Document) => Promise<unknown> } }).axe.run(
      document,
    )
  ) as AxeResult;
  assert(result.passes.length > 10, `axe checked almost nothing (${result.passes.length} passes)`);
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.nodes.length} nodes)`);
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el?.getAttribute("data-action") ?? el?.getAttribute("aria-label") ?? el?.id ?? null;
  });

async function tabUntil(page: Page, action: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await focused(page) === action) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${action} (at ${await focused(page)})`);
}

async function keyboardOnly(page: Page): Promise<void> {
  await page.keyboard.press("Tab");
  assertEquals(
    await page.evaluate(() => document.activeElement?.hasAttribute("data-skip-link")),
    true,
  );
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.id === "pane-tools");
  // A focusable divider moves with the arrow keys.
  const gutter = page.locator(".gutter-vertical");
  await gutter.focus();
  const before = await page.locator("#pane-instances").evaluate((el) => el.clientHeight);
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const after = await page.locator("#pane-instances").evaluate((el) => el.clientHeight);
  assert(after > before + 10, `divider did not move (${before} → ${after})`);

  await page.locator("[data-skip-link]").focus();
  await tabUntil(page, "add-instance");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() =>
    document.activeElement?.getAttribute("aria-label") === "Name of the new instance"
  );
  await page.keyboard.type("Keys Only");
  await page.keyboard.press("Tab"); // slug
  await page.keyboard.press("Tab"); // blueprint
  for (let i = 0; i < 20; i++) {
    const value = await page.evaluate(() => (document.activeElement as HTMLSelectElement).value);
    if (value === "log_ready.sh") break;
    await page.keyboard.press("ArrowDown");
  }
  await tabUntil(page, "create");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() =>
    document.activeElement?.closest("tr")?.getAttribute("data-slug") === "keys-only" &&
    document.activeElement?.getAttribute("data-action") === "start"
  );
  await page.keyboard.press("Enter");
  await waitForStatus(page, "keys-only", "started");
  assertEquals(await focused(page), "stop", "focus stays on the row after Start");
  // The row's actions are a toolbar: one tab stop, the arrow keys move between them, and the
  // disabled ones (▶ while it runs; View and Open, not published here) are passed over.
  await page.keyboard.press("ArrowRight");
  assertEquals(await focused(page), "logs");
  await page.keyboard.press("End");
  assertEquals(await focused(page), "tools");
  await page.keyboard.press("ArrowRight");
  assertEquals(await focused(page), "stop", "wraps to the first enabled action");
  await page.keyboard.press("ArrowLeft");
  assertEquals(await focused(page), "tools");
  await page.keyboard.press("Home");
  assertEquals(await focused(page), "stop");
  const stops = await page.evaluate(() =>
    [...document.querySelectorAll('tr[data-slug="keys-only"] [role="toolbar"] [tabindex="0"]')]
      .map((el) => el.getAttribute("data-action"))
  );
  assertEquals(stops, ["stop"], "one tab stop: the first action that can be used");
  await page.keyboard.press("Tab");
  assert(
    await page.evaluate(() => !document.activeElement?.closest('[role="toolbar"]')),
    "Tab leaves the row's actions",
  );
  await page.keyboard.press("Shift+Tab");
  assertEquals(await focused(page), "stop", "Shift+Tab comes back to the toolbar's tab stop");
  await page.keyboard.press("ArrowRight");
  assertEquals(await focused(page), "logs");
  await page.keyboard.press("Enter");
  await waitForTerminalText(page, "[data-console]", "READY");
  await page.keyboard.press("ArrowLeft");
  assertEquals(await focused(page), "stop");
  await page.keyboard.press("Enter");
  await waitForStatus(page, "keys-only", "stopped");
  // The stream may show "stopped" before the stop's own answer, after which focus moves from
  // the disabled Stop to a live button of the row: wait for that, not for a fixed moment.
  await page.waitForFunction(
    () => document.activeElement?.closest("tr")?.getAttribute("data-slug") === "keys-only",
    undefined,
    { timeout: 5_000 },
  ).catch(() => {});
  const inRow = await page.evaluate(() =>
    document.activeElement?.closest("tr")?.getAttribute("data-slug")
  );
  assertEquals(inRow, "keys-only", "focus stays on the row after Stop");
}

async function unsavedEditorPrompts(page: Page): Promise<void> {
  await row(page, "keys-only").locator('[data-action="tools"]').click();
  await page.locator('[role=menu] [data-menu-item="editor"]').click();
  const content = page.locator("[data-editor] .cm-content");
  await page.waitForFunction(() =>
    (document.querySelector("[data-editor] .cm-content")?.textContent ?? "").includes("READY")
  );
  await content.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\necho unsaved-marker-9");
  await row(page, "keys-only").locator('[data-action="logs"]').click();
  const dialog = modal(page);
  await dialog.getByText("Discard the unsaved script changes?").waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
  assert((await content.textContent())?.includes("unsaved-marker-9"), "the edit was lost");
  assertEquals(await page.locator("[data-tools-title]").textContent(), "Script: Keys Only");
  await row(page, "keys-only").locator('[data-action="logs"]').click();
  await modal(page).locator('[data-choice="yes"]').click();
  await page.locator("[data-console]").waitFor();
}

Deno.test({
  name: "axe: no serious or critical violation on login, dashboard, settings; keyboard-only use",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b: BrowserHarness = await startBrowserHarness();
    try {
      const { page } = b;
      await page.goto(`${b.base}/login?next=/`);
      const found: Record<string, string[]> = { login: await axeProblems(page) };
      await b.login();
      await keyboardOnly(page);
      await unsavedEditorPrompts(page);
      found.dashboard = await axeProblems(page);
      // The folder browser (the shared models here): tiles, links, sizes, delete buttons.
      const models = `${b.harness.dataDir}/models`;
      await Deno.mkdir(`${models}/loras`, { recursive: true });
      const pixel =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
      await Deno.writeFile(
        `${models}/preview.png`,
        Uint8Array.from(atob(pixel), (c) => c.charCodeAt(0)),
      );
      await Deno.writeTextFile(`${models}/notes.txt`, "x");
      // With downloads: one going (a progress bar, Pause, Cancel), one failed (its reason, Resume).
      const server = serveFile(payloadOf(1024 * 1024));
      const refusing = serveFile(new Uint8Array());
      try {
        server.behaviour.holdAfter = 4096;
        refusing.behaviour.status = 404;
        const add = (url: string) =>
          b.harness.fetch("/api/system/models/downloads", {
            method: "POST",
            body: JSON.stringify({ url, folder: "loras" }),
          }).then((r) => r.body?.cancel());
        await add(`${server.url}/going.safetensors`);
        await add(`${refusing.url}/missing.safetensors`);
        await page.locator('[data-action="models"]').click();
        await page.locator('[data-output="loras"]').waitFor();
        await page.locator('[data-download][data-status="failed"]').waitFor();
        await page.locator('[data-download][data-status="downloading"]').waitFor();
        found.models = await axeProblems(page);
      } finally {
        await server.close();
        await refusing.close();
      }
      // The usage history: range buttons, charts (SVG images with their figures in words).
      await page.locator('[data-action="history"]').click();
      await page.locator('[data-chart="host"]').waitFor();
      found.history = await axeProblems(page);
      // The disk view: its folder tree with toggles and share bars.
      await page.locator('[data-action="disk"]').click();
      await page.locator('[data-disk-state="done"] [data-disk-path="instances"]').waitFor();
      found.disk = await axeProblems(page);
      await page.goto(`${b.base}/settings`);
      await page.waitForSelector("[data-island][data-hydrated]");
      found.settings = await axeProblems(page);
      assertEquals(found, {
        login: [],
        dashboard: [],
        models: [],
        history: [],
        disk: [],
        settings: [],
      });
      assertEquals(await b.collectProblems(), []);
    } catch (error) {
      await b.screenshot("a11y-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
    }
  },
});

Deno.test({
  name: "axe: no serious or critical violation on the setup page",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await createAuthTestApp({ password: null });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req, info) => t.app.fetch(req, info),
    );
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      await page.goto(
        `http://127.0.0.1:${server.addr.port}/setup?token=${t.auth.issueSetupToken()}`,
      );
      assertEquals(await axeProblems(page), []);
      const scroll = await page.evaluate(() => document.documentElement.scrollHeight);
      assert(scroll <= 768, `the setup page scrolls for nothing (${scroll} px)`);
    } finally {
      await browser.close();
      await server.shutdown();
      await t.close();
    }
  },
});
