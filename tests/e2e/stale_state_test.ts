/**
 * Issue 11, stale state and hidden failures, in Chromium against a real AiKore: a crash shows
 * its reason in the row and a toast that opens its log; a first start shows its install step; a clone leaves "installing" by itself;
 * a cut event stream and an AiKore restart under the open tab both end in a full resync
 * (rows match the API, the page says what changed, a vanished terminal says "ended" and why),
 * with an offline banner meanwhile. No reload anywhere.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { type BrowserHarness, startBrowserHarness } from "../helpers/browser.ts";
import { freeRange } from "../helpers/harness.ts";
import { startServerHarness, TEST_PASSWORD } from "../helpers/server_harness.ts";
import { type CutProxy, startCutProxy } from "./cut_proxy.ts";
import {
  modal,
  row,
  rowAction,
  toolsMenu,
  waitForStatus,
  waitForTerminalText,
  waitForToast,
} from "./dashboard_page.ts";

const CRASH = `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Crashes
# aikore.category = Test
# aikore.description = Fails like an app out of GPU memory.
# aikore.venv_type = none
# aikore.health = process
### AIKORE-METADATA-END ###
echo "loading model"
sleep 0.5
echo "ERROR: CUDA out of memory: cannot allocate 24.00 GiB (fake)" >&2
exit 3
`;

type Dto = { id: number; slug: string; status: string };

async function create(b: BrowserHarness, name: string, blueprint: string): Promise<Dto> {
  const response = await b.harness.fetch("/api/instances", {
    method: "POST",
    body: JSON.stringify({
      name,
      slug: name.toLowerCase(),
      base_blueprint: blueprint,
      gpu_ids: "none",
    }),
  });
  const body = await response.json();
  assertEquals(response.status, 201, JSON.stringify(body));
  return body;
}

async function crashInPlainSight(b: BrowserHarness, page: Page): Promise<void> {
  await rowAction(page, "broken", "start");
  const toast = await waitForToast(page, '"Broken" exited (3): ERROR: CUDA out of memory');
  const reason = row(page, "broken").locator("[data-last-output] summary");
  assertMatch(await reason.innerText(), /^ERROR: CUDA out of memory/);
  await toast.locator("[data-toast-action]").click();
  await waitForTerminalText(page, "[data-console]", "loading model");
  // "First error" finds the failure in the console from the top, as a regular expression.
  await page.locator('[data-action="first-error"]').click();
  await page.waitForFunction(() =>
    /^1 of \d+$/.test(document.querySelector("[data-search-count]")?.textContent ?? "")
  );
  assertEquals(
    await page.locator('[data-search-option="regex"]').getAttribute("aria-pressed"),
    "true",
  );
  // The run history lists the run with its exit and what its environment held, and its log
  // can be read.
  await b.harness.server.services.environments.settled();
  await toolsMenu(page, "broken", "runs");
  const run = page.locator('[data-runs] tr[data-run="0"]');
  assertMatch(await run.innerText(), /exited \(3\)/);
  assertMatch(await run.locator("td").nth(3).innerText(), /^\d+ packages/);
  await run.locator("[data-run-view]").click();
  assertMatch(await page.locator("[data-run-log]").innerText(), /CUDA out of memory/);
}

/**
 * A first start that installs: the row shows the step the blueprint names (`aikore_step`) under
 * the badge, and when the install fails there, the status message says at which step.
 */
async function installProgress(page: Page, dataDir: string): Promise<void> {
  const dir = `${dataDir}/instances/steps`;
  await new Deno.Command("mkfifo", { args: [`${dir}/go`] }).output();
  const answer = async (line: string) => {
    const fifo = await Deno.open(`${dir}/go`, { write: true });
    await fifo.write(new TextEncoder().encode(`${line}\n`));
    fifo.close();
  };
  await rowAction(page, "steps", "start");
  await answer("begin");
  const step = row(page, "steps").locator("[data-step]");
  await step.waitFor();
  assertEquals(await step.innerText(), "Installing the test app");
  assertEquals(await row(page, "steps").locator("[data-status]").innerText(), "starting");
  await answer("fail");
  await waitForStatus(page, "steps", "exited");
  await step.waitFor({ state: "detached" });
  assertEquals(
    await row(page, "steps").locator("[data-status]").getAttribute("title"),
    'The app ended by itself (exit code 4) at the step "Installing the test app"',
  );
}

/** The clone's answer reaches the page only once the copy has finished (a slow network). */
async function delayCopyAnswer(b: BrowserHarness, page: Page): Promise<void> {
  await page.route("**/api/instances/*/copy", async (route) => {
    const answer = await route.fetch();
    const { id } = await answer.json();
    for (let i = 0; i < 200; i++) {
      const dto = await (await b.harness.fetch(`/api/instances/${id}`)).json();
      if (dto.status !== "installing") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await route.fulfill({ response: answer });
  });
}

async function cloneFinishes(b: BrowserHarness, page: Page): Promise<void> {
  await delayCopyAnswer(b, page);
  await rowAction(page, "web", "stop");
  await waitForStatus(page, "web", "stopped");
  await toolsMenu(page, "web", "clone");
  const dialog = modal(page);
  assertEquals(await dialog.locator("input[name=output_path]").inputValue(), "web-copy");
  await dialog.locator("input[name=new_name]").fill("Web twin");
  assertEquals(await dialog.locator("input[name=output_path]").inputValue(), "web-twin");
  await dialog.locator("button[type=submit]").click();
  // The answer ("installing") arrives after the streamed "stopped": the row must stay stopped.
  await waitForToast(page, 'Cloning "Web" into "Web twin"');
  await waitForStatus(page, "web-twin", "stopped", 5000);
}

async function streamCut(
  b: BrowserHarness,
  page: Page,
  proxy: CutProxy,
  web: Dto,
): Promise<void> {
  proxy.blocked = true;
  proxy.cut();
  await page.locator("[data-offline-banner]").waitFor();
  assert(
    await page.evaluate(() => document.body.classList.contains("stale")),
    "figures not greyed",
  );
  const started = await b.harness.fetch(`/api/instances/${web.id}/start`, { method: "POST" });
  assertEquals(started.status, 200);
  await started.body?.cancel();
  proxy.blocked = false;
  await waitForToast(page, /Back in sync: "Web" (stopped|starting) → (starting|started)/);
  await waitForStatus(page, "web", "started");
  await page.locator("[data-offline-banner]").waitFor({ state: "detached" });
}

Deno.test({
  name: "stale state recovers without reload; a crash shows its reason in the row and a toast",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "aikore-stale-" });
    const env = {
      AIKORE_DATA_DIR: dataDir,
      AIKORE_LISTEN: `127.0.0.1:${(await freeRange(1)).split("-")[0]}`,
      AIKORE_INSTANCE_PORT_RANGE: await freeRange(10),
    };
    const b = await startBrowserHarness(env);
    let restarted: Awaited<ReturnType<typeof startServerHarness>> | null = null;
    let proxy: CutProxy | null = null;
    try {
      const saved = await b.harness.fetch("/api/system/blueprints/custom", {
        method: "POST",
        body: JSON.stringify({ filename: "crash.sh", content: CRASH }),
      });
      assertEquals(saved.status, 201);
      await saved.body?.cancel();
      const web = await create(b, "Web", "log_ready.sh");
      await create(b, "Broken", "crash.sh");
      await create(b, "Steps", "install_steps.sh");
      const { page } = b;
      // The browser reaches AiKore through a proxy the test can cut.
      const listen = new URL(b.base);
      proxy = startCutProxy({ hostname: listen.hostname, port: Number(listen.port) });
      await page.goto(`${proxy.url}/login?next=/`);
      await page.fill("input[name=password]", TEST_PASSWORD);
      await Promise.all([page.waitForURL(`${proxy.url}/`), page.click("button[type=submit]")]);
      await page.waitForSelector("[data-island][data-hydrated]");
      await rowAction(page, "web", "start");
      await waitForStatus(page, "web", "started");
      await crashInPlainSight(b, page);
      await installProgress(page, dataDir);
      await cloneFinishes(b, page);
      await streamCut(b, page, proxy, web);

      // AiKore restarts under the open tab, with a terminal open.
      await toolsMenu(page, "web", "terminal");
      await waitForTerminalText(page, "[data-terminal]", "(web)");
      await b.harness.server.close();
      await page.locator("[data-offline-banner]").waitFor();
      restarted = await startServerHarness(env);
      await waitForToast(page, /^AiKore restarted; the page is up to date again/);
      const after = (await (await restarted.fetch(`/api/instances/${web.id}`)).json()) as Dto;
      await waitForStatus(page, "web", after.status);
      await page.locator("[data-terminal-ended]", { hasText: "AiKore restarted" }).waitFor();
      assertMatch(await page.locator("[data-terminal-tab]").first().innerText(), /\(ended\)$/);
      await page.locator("[data-offline-banner]").waitFor({ state: "detached" });
      await b.screenshot("stale-after-restart");
      const pageErrors = b.problems.filter((p) => p.startsWith("page error"));
      assertEquals(pageErrors, []);
      assertEquals(proxy.errors, []);
    } catch (error) {
      await b.screenshot("stale-failure").catch(() => {});
      throw error;
    } finally {
      await b.browser.close().catch(() => {});
      await proxy?.close();
      await restarted?.close().catch(() => {});
      await b.harness.server.close().catch(() => {});
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
