/**
 * 50 instances in Chromium against a real AiKore: search by name/blueprint/status, sort,
 * select 5 and start then stop them at once, the pool state beside "+ Add instance", and the
 * Name column pinned when the table scrolls sideways at 1024 px. Screenshots at 1366×768
 * and 1024×768 go to tests/artifacts/.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../helpers/assert.ts";
import { type BrowserHarness, startBrowserHarness } from "../helpers/browser.ts";
import { freeRange } from "../helpers/harness.ts";
import { row, waitForStatus, waitForToast } from "./dashboard_page.ts";

const COUNT = 50;
const slugOf = (i: number) => `inst-${String(i).padStart(2, "0")}`;

async function createMany(b: BrowserHarness): Promise<void> {
  for (let i = 1; i <= COUNT; i++) {
    const response = await b.harness.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({
        name: `Inst ${String(i).padStart(2, "0")}`,
        slug: slugOf(i),
        base_blueprint: i % 5 === 0 ? "http_app.sh" : "log_ready.sh",
        gpu_ids: "none",
      }),
    });
    assertEquals(response.status, 201, await response.text());
  }
}

const shownSlugs = (page: Page) =>
  page.locator("tbody[data-group] tr.instance-row").evaluateAll((rows) =>
    rows.map((r) => r.getAttribute("data-slug"))
  );

async function searchAndSort(page: Page): Promise<void> {
  const search = page.locator("[data-table-search]");
  await search.fill("inst-4");
  await page.waitForFunction(() => document.querySelectorAll("tr.instance-row").length === 10);
  assertEquals((await shownSlugs(page)).length, 10);
  await search.fill("http_app");
  await page.waitForFunction(() => document.querySelectorAll("tr.instance-row").length === 10);
  assert((await shownSlugs(page)).every((s) => Number(s?.slice(5)) % 5 === 0), "blueprint search");
  await search.fill("no such thing");
  await page.locator("[data-no-match]").waitFor();
  await search.fill("");
  await page.locator("[data-table-sort]").selectOption("name");
  await page.waitForFunction(() =>
    document.querySelector("tbody[data-group] tr")?.getAttribute("data-slug") === "inst-01"
  );
  // Reversed display order, then sorting by name restores alphabetical order.
  assertEquals((await shownSlugs(page)).slice(0, 3), ["inst-01", "inst-02", "inst-03"]);
}

async function bulkStartStop(page: Page): Promise<void> {
  const five = [3, 11, 17, 24, 38].map(slugOf);
  for (const slug of five) await row(page, slug).locator(".row-select").check();
  assertEquals(await page.locator("[data-selected-count]").innerText(), "5 selected");
  await page.click('[data-bulk="start"]');
  await waitForToast(page, "Starting 5 instances.");
  for (const slug of five) await waitForStatus(page, slug, "started", 30_000);
  await page.locator("[data-table-search]").fill("started");
  await page.waitForFunction(() => document.querySelectorAll("tr.instance-row").length === 5);
  assertEquals((await shownSlugs(page)).sort(), five);
  await page.locator("[data-table-search]").fill("");
  await page.click('[data-bulk="stop"]');
  await waitForToast(page, "Stopped 5 instances.");
  for (const slug of five) await waitForStatus(page, slug, "stopped", 30_000);
  const summary = await page.locator("[data-status-summary]").innerText();
  assert(summary.includes("0 running") && summary.includes(`${COUNT} total`), summary);
}

async function compactRows(b: BrowserHarness, page: Page): Promise<void> {
  const height = () => row(page, "inst-01").evaluate((el) => el.getBoundingClientRect().height);
  const normal = await height();
  await page.locator("[data-table-compact]").check();
  const compact = await height();
  assert(compact < normal - 8, `compact rows are not smaller (${normal} → ${compact})`);
  await b.screenshot("many-1366x768-compact", page);
  await page.locator("[data-table-compact]").uncheck();
}

async function narrowScreen(b: BrowserHarness, page: Page): Promise<void> {
  await page.setViewportSize({ width: 1024, height: 768 });
  await b.screenshot("many-1024x768", page);
  const scroller = page.locator("#pane-instances .table-scroll");
  await scroller.evaluate((el) => (el.scrollLeft = el.scrollWidth));
  const name = row(page, "inst-01").locator("td.cell-name");
  const pane = await scroller.boundingBox();
  const box = await name.boundingBox();
  assert(pane && box, "no boxes");
  assert(box.x >= pane.x && box.x < pane.x + 80, `Name column not pinned (x=${box.x})`);
  await b.screenshot("many-1024x768-scrolled", page);
}

Deno.test({
  name: "50 instances: search, sort, bulk start/stop of 5, pool state, pinned names at 1024 px",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b = await startBrowserHarness({ AIKORE_INSTANCE_PORT_RANGE: await freeRange(52) });
    try {
      await createMany(b);
      const order = Array.from({ length: COUNT }, (_, i) => COUNT - i);
      const stored = await b.harness.fetch("/api/display-order", {
        method: "PUT",
        body: JSON.stringify({ order }),
      });
      assertEquals(stored.status, 200, await stored.text());
      const { page } = b;
      await b.login();
      assertEquals(await page.locator("[data-pool-state]").innerText(), "50 of 52 ports used");
      await b.screenshot("many-1366x768", page);
      await searchAndSort(page);
      await bulkStartStop(page);
      await compactRows(b, page);
      await narrowScreen(b, page);
      assertEquals(await b.collectProblems(), []);
    } catch (error) {
      await b.screenshot("many-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
    }
  },
});
