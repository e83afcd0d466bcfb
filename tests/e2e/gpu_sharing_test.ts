/**
 * Starting an instance on a GPU another running instance uses, in Chromium against a real AiKore
 * with the fake NVML library (GPU 0: 80 GiB): the dashboard names the GPU, how much of it is in
 * use and by whom, and starts only once the user says so. Cancel leaves it stopped. The GPU's
 * card lists the processes on it, a program outside AiKore among them.
 */
import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { startBrowserHarness } from "../helpers/browser.ts";
import { fakeNvml } from "../helpers/fake_nvml.ts";
import { modal, rowAction, waitForStatus } from "./dashboard_page.ts";

Deno.test({
  name: "a start on a GPU another running instance uses asks first, naming the GPU and its user",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // A program outside AiKore holds 3 GiB on GPU 0 (its card lists it).
    const outsider = new Deno.Command("sleep", { args: ["120"] }).spawn();
    await using nvml = await fakeNvml({
      gpuCount: 2,
      pids: [{ pid: outsider.pid, bytes: 3 * 2 ** 30 }],
    });
    const b = await startBrowserHarness({ AIKORE_NVML_LIBRARY: nvml.library });
    try {
      const create = async (name: string, gpu_ids: string) => {
        const response = await b.harness.fetch("/api/instances", {
          method: "POST",
          body: JSON.stringify({ name, base_blueprint: "http_app.sh", gpu_ids }),
        });
        assertEquals(response.status, 201);
        return (await response.json()).id as number;
      };
      const trainer = await create("trainer", "0");
      await create("painter", "0");
      await create("elsewhere", "1");
      const { page } = b;
      await b.login();
      const started = await b.harness.fetch(`/api/instances/${trainer}/start`, { method: "POST" });
      await started.body?.cancel();
      await waitForStatus(page, "trainer", "started");
      await page.locator("[data-gpu='0']").waitFor(); // the GPU figures have arrived
      assertMatch(
        (await page.locator(`[data-gpu='0'] [data-gpu-process="${outsider.pid}"]`).textContent()) ??
          "",
        new RegExp(`^sleep · pid ${outsider.pid} · not an instance's\\s*3\\.0 GB$`),
      );

      await rowAction(page, "painter", "start");
      const dialog = modal(page);
      assertEquals(
        await dialog.locator("h2").innerText(),
        'Start "painter" on a busy GPU?',
      );
      assertMatch(
        await dialog.locator("[data-shared-gpus]").innerText(),
        /^GPU 0 \(.+\): \d+\.\d GB of 80\.0 GB in use, by "trainer"$/,
      );
      await b.screenshot("gpu-sharing", page);
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await dialog.waitFor({ state: "detached" });
      await waitForStatus(page, "painter", "stopped");

      // A GPU nobody else uses starts without a question.
      await rowAction(page, "elsewhere", "start");
      await waitForStatus(page, "elsewhere", "started");
      assertEquals(await modal(page).count(), 0);

      await rowAction(page, "painter", "start");
      await modal(page).getByRole("button", { name: "Start anyway" }).click();
      await waitForStatus(page, "painter", "started");
      assertEquals(await b.collectProblems(), []);
    } catch (error) {
      await b.screenshot("gpu-sharing-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
      outsider.kill();
      await outsider.status;
    }
  },
});
