/**
 * "Why does it fail today?" in Chromium against a real AiKore: an app whose venv gained a new
 * torch since its last good run fails; its row says what changed since it last worked, and the
 * run history lists the change under that run. Real venv, real program, real pages.
 */
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { startBrowserHarness } from "../helpers/browser.ts";
import { row, rowAction, toolsMenu, waitForStatus } from "./dashboard_page.ts";

/** Installs `version` of the package the way pip leaves it: a dist-info folder. */
async function installTorch(sitePackages: string, version: string): Promise<void> {
  for await (const entry of Deno.readDir(sitePackages)) {
    if (entry.name.startsWith("torch-")) {
      await Deno.remove(`${sitePackages}/${entry.name}`, { recursive: true });
    }
  }
  await Deno.mkdir(`${sitePackages}/torch-${version}.dist-info`);
  await Deno.writeTextFile(
    `${sitePackages}/torch-${version}.dist-info/METADATA`,
    `Metadata-Version: 2.1\nName: torch\nVersion: ${version}\n`,
  );
}

Deno.test({
  name: "a failed run whose environment changed says what changed, in the row and the run history",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b = await startBrowserHarness();
    try {
      const created = await b.harness.fetch("/api/instances", {
        method: "POST",
        body: JSON.stringify({ name: "venvy", base_blueprint: "venv_app.sh", gpu_ids: "none" }),
      });
      assertEquals(created.status, 201);
      const dir = `${b.harness.dataDir}/instances/venvy`;
      const venv = await new Deno.Command("python3", {
        args: ["-m", "venv", "--without-pip", `${dir}/env`],
      }).output();
      assert(venv.success, "python3 -m venv");
      const lib = [...Deno.readDirSync(`${dir}/env/lib`)][0]?.name;
      const sitePackages = `${dir}/env/lib/${lib}/site-packages`;
      await installTorch(sitePackages, "2.5.1");
      const { page } = b;
      await b.login();
      await rowAction(page, "venvy", "start");
      await waitForStatus(page, "venvy", "started");
      await b.harness.server.services.environments.settled();
      await rowAction(page, "venvy", "stop");
      await waitForStatus(page, "venvy", "stopped");

      await installTorch(sitePackages, "2.6.0");
      await Deno.writeTextFile(`${dir}/fail`, "");
      await rowAction(page, "venvy", "start");
      await waitForStatus(page, "venvy", "exited");
      const changed = row(page, "venvy").locator("[data-env-changed]");
      await changed.waitFor();
      assertEquals(await changed.locator("summary").innerText(), "changed since it last worked");
      await changed.locator("summary").click();
      assertEquals(await changed.locator("li").allInnerTexts(), ["torch 2.5.1 → 2.6.0"]);

      await toolsMenu(page, "venvy", "runs");
      const failedRun = page.locator('[data-runs] tr[data-run="0"]');
      const details = failedRun.locator("details[data-env-changes]");
      assertMatch(
        await details.locator("summary").innerText(),
        /^1 change since the run of .+ \(this run failed\)$/,
      );
      await details.locator("summary").click();
      assertEquals(await details.locator("li").allInnerTexts(), ["torch 2.5.1 → 2.6.0"]);
      assertMatch(
        await page.locator('[data-runs] tr[data-run="1"] td').nth(3).innerText(),
        /^1 package · Python 3\.\d+\.\d+$/,
      );
      await b.screenshot("run-environment", page);
      assertEquals(await b.collectProblems(), []);
    } catch (error) {
      await b.screenshot("run-environment-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
    }
  },
});
