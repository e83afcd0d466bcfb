/**
 * Idle stop and wake on request in Chromium against a real AiKore, real nginx and a real app:
 * the row shows the policy ("idle stop: 1 min") and, once the policy ran out, "stopped (idle)";
 * opening the instance's port in the browser shows the starting page, which follows the status
 * and lands on the app, and the row is green again. No reload of the dashboard anywhere.
 *
 * One policy minute is shortened to MINUTE_MS by injection (a start option only).
 */
import { chromium } from "playwright-core";
import { assert, assertEquals } from "../helpers/assert.ts";
import { CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser.ts";
import { startServerHarness, TEST_PASSWORD } from "../helpers/server_harness.ts";
import { planeBlueprints } from "../fixtures/gateway/plane_blueprints.ts";
import { ensureIslandsBuilt } from "../../tools/build_islands.ts";
import { row, waitForStatus } from "./dashboard_page.ts";

const MINUTE_MS = 3000;

Deno.test("the dashboard shows the idle policy and stopped (idle); opening the app wakes it", async () => {
  await ensureIslandsBuilt();
  const blueprints = await planeBlueprints();
  const h = await startServerHarness(
    { AIKORE_NGINX: "managed", AIKORE_BLUEPRINTS_DIR: blueprints },
    { start: { idleTiming: { minuteMs: MINUTE_MS, checkEveryMs: 100 } } },
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  try {
    const created = await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({
        name: "napper",
        base_blueprint: "plane_app.sh",
        idle_stop_minutes: 1,
      }),
    });
    const app = await created.json();
    assertEquals(created.status, 201, JSON.stringify(app));
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    await page.goto(`${h.url}/login?next=/`);
    await page.fill("input[name=password]", TEST_PASSWORD);
    await Promise.all([page.waitForURL(`${h.url}/`), page.click("button[type=submit]")]);
    await page.waitForSelector("[data-island][data-hydrated]");

    const policy = row(page, "napper").locator("[data-idle-policy]");
    assertEquals(await policy.innerText(), "idle stop: 1 min");
    const start = await h.fetch(`/api/instances/${app.id}/start`, { method: "POST" });
    assertEquals(start.status, 200);
    await start.body?.cancel();
    await waitForStatus(page, "napper", "started");
    // The policy runs out: the row says so without a reload.
    const badge = row(page, "napper").locator("[data-status=stopped][data-idle-stopped]");
    await badge.waitFor({ timeout: 20_000 });
    assertEquals(await badge.innerText(), "stopped (idle)");

    // Opening the app in a tab wakes it: the starting page, then the app itself.
    const tab = await browser.newPage();
    const cookies = await page.context().cookies();
    await tab.context().addCookies(cookies);
    const first = await tab.goto(`http://127.0.0.1:${app.port}/hdrs`);
    assertEquals(first?.status(), 503);
    const shown = await tab.locator("#status").innerText();
    assert(shown === "starting" || shown === "started", `the starting page (${shown})`);
    await tab.waitForFunction(() => document.body.innerText.includes('"name":"napper"'), null, {
      timeout: 20_000,
    });
    await waitForStatus(page, "napper", "started");
    assertEquals(await row(page, "napper").locator("[data-idle-stopped]").count(), 0);
    assertEquals(problems, [], "no page errors");
  } finally {
    await browser.close().catch(() => {});
    await h.close();
    await Deno.remove(blueprints, { recursive: true }).catch(() => {});
  }
});
