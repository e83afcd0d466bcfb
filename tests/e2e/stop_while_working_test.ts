/**
 * Stopping an app while it works, in Chromium against a real AiKore: a Stop that would end work
 * in progress (its processes keep a CPU busy, by the latest figures) asks first and says what the
 * app is doing; Cancel leaves it running. A change that restarts it says so in the Save changes
 * dialog. An app at rest stops without a question, and a bulk Stop asks once, naming the apps
 * that work.
 */
import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { startBrowserHarness } from "../helpers/browser.ts";
import { modal, row, rowAction, waitForStatus } from "./dashboard_page.ts";

/** A custom blueprint whose app is a process (no web page) running `body`. */
const processApp = (name: string, body: string) =>
  `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = ${name}
# aikore.venv_type = none
# aikore.health = process
### AIKORE-METADATA-END ###
${body}
`;

Deno.test({
  name: "a Stop that would end work in progress asks first; an app at rest stops at once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b = await startBrowserHarness();
    try {
      const api = async (method: string, path: string, body?: unknown) => {
        const response = await b.harness.fetch(path, {
          method,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: response.status, body: await response.json() };
      };
      // Each app: a custom blueprint of its name, and an instance of it (CPU only), started.
      const apps = { cruncher: "while :; do :; done", resting: "exec sleep 600" };
      const ids: Record<string, number> = {};
      for (const [name, body] of Object.entries(apps)) {
        const filename = `${name}.sh`;
        const content = processApp(name, body);
        const saved = await api("POST", "/api/system/blueprints/custom", { filename, content });
        assertEquals(saved.status, 201, JSON.stringify(saved.body));
        const created = await api("POST", "/api/instances", {
          name,
          base_blueprint: filename,
          gpu_ids: "none",
        });
        assertEquals(created.status, 201, JSON.stringify(created.body));
        ids[name] = created.body.id;
        await api("POST", `/api/instances/${created.body.id}/start`);
      }
      const { page } = b;
      await b.login();
      await waitForStatus(page, "cruncher", "started");
      await waitForStatus(page, "resting", "started");
      // The figures the page holds show the cruncher's core busy (its row shows them).
      await page.waitForFunction(
        () => {
          const usage = document.querySelector("tr[data-slug='cruncher'] [data-usage]");
          const cpu = Number(usage?.textContent?.match(/CPU (\d+)/)?.[1] ?? 0);
          return cpu >= 50;
        },
        undefined,
        { timeout: 30_000 },
      );

      await rowAction(page, "cruncher", "stop");
      const dialog = modal(page);
      assertEquals(await dialog.locator("h2").innerText(), 'Stop "cruncher" while it works?');
      assertMatch(
        await dialog.locator("[data-working-apps]").innerText(),
        /^Its processes (use \d+ % of a core|keep a core busy|keep [\d.]+ cores busy)$/,
      );
      await b.screenshot("stop-while-working", page);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });
      assertEquals((await api("GET", `/api/instances/${ids.cruncher}`)).body.status, "started");

      // A change that restarts it says so too, before anything is saved.
      await row(page, "cruncher").locator('[data-field="output_path"]').fill("elsewhere");
      await page.locator('[data-action="save-changes"]').click();
      assertMatch(
        (await dialog.locator("[data-working-warning]").innerText()).trim(),
        /^It works now \(its processes .+\): what it has not saved is lost\.$/,
      );
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });

      // At rest: no question.
      await rowAction(page, "resting", "stop");
      await waitForStatus(page, "resting", "stopped");
      assertEquals(await modal(page).count(), 0);

      // Bulk: one question naming the app at work; Stop anyway stops them all.
      await api("POST", `/api/instances/${ids.resting}/start`);
      await waitForStatus(page, "resting", "started");
      for (const slug of ["cruncher", "resting"]) {
        await row(page, slug).locator(".row-select").check();
      }
      await page.click('[data-bulk="stop"]');
      assertEquals(await dialog.locator("h2").innerText(), "Stop 2 instances while one works?");
      assertMatch(await dialog.locator("[data-working-apps]").innerText(), /^"cruncher": its /);
      await dialog.getByRole("button", { name: "Stop anyway" }).click();
      await waitForStatus(page, "cruncher", "stopped");
      await waitForStatus(page, "resting", "stopped");
      assertEquals(await b.collectProblems(), []);
    } catch (error) {
      await b.screenshot("stop-while-working-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
    }
  },
});
