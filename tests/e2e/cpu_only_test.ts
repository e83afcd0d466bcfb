/**
 * P0 of issue 11, in Chromium against a real AiKore without NVML: the new row offers CPU only
 * / All GPUs / Chosen GPUs, defaults to CPU only, creates the instance, and the started app
 * sees CUDA_VISIBLE_DEVICES set to the empty string.
 */
import { assertEquals } from "../helpers/assert.ts";
import { startBrowserHarness } from "../helpers/browser.ts";
import {
  row,
  rowAction,
  waitForStatus,
  waitForTerminalText,
  waitForToast,
} from "./dashboard_page.ts";

const SHOW_GPUS = `#!/bin/bash
### AIKORE-METADATA-START ###
# aikore.name = Shows its GPUs
# aikore.category = Test
# aikore.description = Prints CUDA_VISIBLE_DEVICES, then READY.
# aikore.venv_type = none
# aikore.health = log:READY
### AIKORE-METADATA-END ###
echo "gpus=[\${CUDA_VISIBLE_DEVICES-unset}]"
echo READY
exec sleep 1000
`;

Deno.test({
  name: "without NVML the dashboard creates a CPU-only instance that starts with no GPU visible",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const b = await startBrowserHarness();
    try {
      const saved = await b.harness.fetch("/api/system/blueprints/custom", {
        method: "POST",
        body: JSON.stringify({ filename: "show_gpus.sh", content: SHOW_GPUS }),
      });
      assertEquals(saved.status, 201);
      await saved.body?.cancel();
      const { page } = b;
      await b.login();
      await page.click('[data-action="add-instance"]');
      const fresh = page.locator("tr[data-new-row]");
      const mode = fresh.getByLabel("GPUs of the new instance", { exact: true });
      assertEquals(await mode.inputValue(), "none", "CPU only is the default without GPUs");
      assertEquals(
        await mode.locator("option").allTextContents(),
        ["CPU only", "All GPUs", "Chosen GPUs"],
      );
      // Chosen GPUs without NVML: typed indices, checked while typing.
      await mode.selectOption("chosen");
      const typed = fresh.getByLabel("GPUs of the new instance: GPU indices");
      await typed.fill("0,0");
      await fresh.getByText("GPU 0 is listed twice").waitFor();
      assertEquals(await fresh.locator('[data-action="create"]').isDisabled(), true);
      await mode.selectOption("none");
      await fresh.getByLabel("Name of the new instance").fill("Cpu App");
      await fresh.getByLabel("Blueprint of the new instance").selectOption("show_gpus.sh");
      await fresh.locator('[data-action="create"]').click();
      await waitForToast(page, 'Instance "Cpu App" created.');
      const list = await (await b.harness.fetch("/api/instances")).json();
      const created = list.find((i: { slug: string }) => i.slug === "cpu-app");
      assertEquals(created.gpu_ids, "none");
      assertEquals(
        await row(page, "cpu-app").getByLabel("GPUs of Cpu App", { exact: true }).inputValue(),
        "none",
      );
      await rowAction(page, "cpu-app", "start");
      await waitForStatus(page, "cpu-app", "started");
      await rowAction(page, "cpu-app", "logs");
      await waitForTerminalText(page, "[data-console]", "gpus=[]");
      assertEquals(await b.collectProblems(), []);
    } catch (error) {
      await b.screenshot("cpu-only-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
    }
  },
});
