/**
 * The whole dashboard journey in Chromium against a real AiKore with managed nginx and a fake
 * NVML (two GPUs): log in, create an instance from http_app.sh, start it and watch the status
 * turn "started" live, read its console, open the app through the gateway, run a command in a
 * terminal that survives a reload, edit the script and restart, create a satellite, change
 * two rows and save them through the modal, stop, delete to the trash and restore. No console
 * error and no CSP violation is allowed on the way; screenshots go to tests/artifacts/.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { ARTIFACTS, type BrowserHarness, startBrowserHarness } from "../helpers/browser.ts";
import { fakeNvml } from "../helpers/fake_nvml.ts";
import { openDatabase, UsageHistoryRepository } from "../../lib/db/mod.ts";
import {
  modal,
  row,
  rowAction,
  toolsMenu,
  waitForStatus,
  waitForTerminalText,
  waitForToast,
} from "./dashboard_page.ts";

type Dto = Record<string, unknown> & { id: number; slug: string };

async function api(b: BrowserHarness, path: string): Promise<Dto> {
  return await (await b.harness.fetch(path)).json();
}

async function createFromNewRow(page: Page): Promise<void> {
  await page.click('[data-action="add-instance"]');
  const fresh = page.locator("tr[data-new-row]");
  await fresh.getByLabel("Name of the new instance").fill("Web App");
  assertEquals(await fresh.getByLabel("Slug of the new instance").inputValue(), "web-app");
  assertEquals(await fresh.getByLabel("Output path of the new instance").inputValue(), "web-app");
  // The GPU with the most free VRAM is preselected (the fake's GPUs report free memory).
  assertEquals(await fresh.locator(".gpu-box input:checked").count(), 1);
  await fresh.getByLabel("Blueprint of the new instance").selectOption("http_app.sh");
  await fresh.locator('[data-action="create"]').click();
  await row(page, "web-app").waitFor();
  await waitForToast(page, 'Instance "Web App" created.');
}

async function consoleAndApp(b: BrowserHarness, page: Page): Promise<void> {
  await rowAction(page, "web-app", "start");
  await waitForStatus(page, "web-app", "started");
  await rowAction(page, "web-app", "logs");
  await waitForTerminalText(page, "[data-console]", "http_app: listening");
  const open = row(page, "web-app").locator('[data-action="open"]');
  await page.waitForFunction(
    () => document.querySelector('tr[data-slug="web-app"] a[data-action="open"][href]') !== null,
  );
  const href = await open.getAttribute("href");
  assert(href && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(href), `open link ${href}`);
  const [tab] = await Promise.all([b.context.waitForEvent("page"), open.click()]);
  await tab.waitForLoadState();
  assertEquals((await tab.textContent("body"))?.trim(), "ok");
  await tab.close();
  await rowAction(page, "web-app", "view");
  const frame = page.frameLocator("iframe.app-frame");
  assertEquals((await frame.locator("body").textContent())?.trim(), "ok");
}

async function terminalSurvivesReload(
  b: BrowserHarness,
  page: Page,
  sockets: string[],
): Promise<void> {
  await toolsMenu(page, "web-app", "terminal");
  await page.locator("[data-terminal] .xterm-rows").waitFor();
  await waitForTerminalText(page, "[data-terminal]", "(web-app)");
  await page.locator("[data-terminal] .xterm-helper-textarea").focus();
  await page.keyboard.type("echo $((6*7))\n");
  await waitForTerminalText(page, "[data-terminal]", /^42\s*$/m);
  await b.screenshot("terminal", page);
  sockets.length = 0;
  await page.reload();
  await page.waitForSelector("[data-island][data-hydrated]");
  await waitForTerminalText(page, "[data-terminal]", "echo $((6*7))");
  await waitForTerminalText(page, "[data-terminal]", /^42\s*$/m);
}

async function editScriptAndRestart(b: BrowserHarness, page: Page): Promise<void> {
  await toolsMenu(page, "web-app", "editor");
  const content = page.locator("[data-editor] .cm-content");
  await content.waitFor();
  await page.waitForFunction(() =>
    (document.querySelector("[data-editor] .cm-content")?.textContent ?? "").includes("http_app")
  );
  await content.click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("End");
  await page.keyboard.type("\necho edited-marker-7");
  await b.screenshot("editor", page);
  await page.click('[data-action="update-script"]');
  await modal(page).locator('[data-choice="restart"]').click();
  await waitForToast(page, 'Script of "Web App" saved; restarted.');
  await waitForStatus(page, "web-app", "started");
  for (const overwrite of [false, true]) {
    await page.click('[data-action="save-blueprint"]');
    const name = modal(page).locator("input[name=filename]");
    assertEquals(await name.inputValue(), "http_app_custom.sh");
    await modal(page).getByRole("button", { name: "Save blueprint" }).click();
    if (overwrite) await modal(page).locator('[data-choice="yes"]').click();
    await waitForToast(page, 'Blueprint "http_app_custom.sh" saved.');
    await page.locator(".toast").first().getByRole("button", { name: "Dismiss" }).click();
  }
  const custom = await (await b.harness.fetch("/api/system/blueprints")).json();
  assertEquals(custom.custom.map((c: { filename: string }) => c.filename), ["http_app_custom.sh"]);
  await rowAction(page, "web-app", "logs");
  await waitForTerminalText(page, "[data-console]", "edited-marker-7");
}

async function addSatellite(page: Page): Promise<void> {
  await toolsMenu(page, "web-app", "instantiate");
  const dialog = modal(page);
  await dialog.locator("input[name=new_name]").fill("Sat One");
  assertEquals(await dialog.locator("input[name=new_slug]").inputValue(), "sat-one");
  await dialog.getByRole("button", { name: "Create satellite" }).click();
  const satellite = row(page, "sat-one");
  await satellite.waitFor();
  // Grouped under its parent, with the inherited fields locked.
  assertEquals(
    await page.locator("tbody[data-group] tr").evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute("data-slug"), r.classList.contains("satellite")])
    ),
    [["web-app", false], ["sat-one", true]],
  );
  assert(await satellite.getByLabel("Blueprint of Sat One").isDisabled());
  assert(await satellite.getByLabel("Output path of Sat One").isDisabled());
}

async function saveTwoRows(b: BrowserHarness, page: Page): Promise<void> {
  const web = row(page, "web-app");
  await web.getByLabel("Autostart Web App").check();
  await web.locator(".gpu-box", { hasText: "1" }).locator("input").check();
  const sat = row(page, "sat-one");
  await sat.getByLabel("Name of Sat One").fill("Sat Uno");
  await sat.getByLabel("Custom address of Sat One on").check();
  await sat.getByLabel("Custom address of Sat One", { exact: true }).fill("sat.lan");
  assertEquals(await page.locator("tr.row-dirty").count(), 2);
  await page.click('[data-action="save-changes"]');
  const dialog = modal(page);
  assertMatch(
    await dialog.locator('[data-change-row="web-app"]').innerText(),
    /GPUs: GPU 0 → GPU 0,1/,
  );
  assertEquals(
    await dialog.locator('[data-change-row="web-app"] [data-restart-warning]').count(),
    1,
  );
  assertMatch(
    await dialog.locator('[data-change-row="sat-one"]').innerText(),
    /Name: Sat One → Sat Uno/,
  );
  await b.screenshot("save-changes", page);
  await dialog.locator('[data-action="apply-changes"]').click();
  await waitForToast(page, "2 instances updated.");
  assertEquals(await page.locator("tr.row-dirty").count(), 0);
  const [webDto, satDto] = await Promise.all([
    api(b, `/api/instances/${await web.getAttribute("data-instance-id")}`),
    api(b, `/api/instances/${await sat.getAttribute("data-instance-id")}`),
  ]);
  assertEquals([webDto.autostart, webDto.gpu_ids], [true, "0,1"]);
  assertEquals([satDto.name, satDto.use_custom_hostname, satDto.hostname], [
    "Sat Uno",
    true,
    "sat.lan",
  ]);
  await waitForStatus(page, "web-app", "started");
}

/**
 * Starting and publishing instances never reloads nginx (the gateway decides per request), so
 * the terminal's WebSocket is never cut: it stays on its one socket and keeps working.
 */
async function terminalReattaches(page: Page, sockets: string[]): Promise<void> {
  const attaches = () => sockets.filter((url) => url.includes("/terminal?terminal=")).length;
  assertEquals(attaches(), 1, "the terminal kept its one WebSocket");
  await page.click('[data-action="show-terminals"]');
  await waitForTerminalText(page, "[data-terminal]", "echo $((6*7))");
  await page.locator("[data-terminal] .xterm-helper-textarea").focus();
  await page.keyboard.type("echo $((7*8))\n");
  await waitForTerminalText(page, "[data-terminal]", /^56\s*$/m);
}

async function stopDeleteRestore(page: Page): Promise<void> {
  await rowAction(page, "web-app", "stop");
  await waitForStatus(page, "web-app", "stopped");
  // Deleting a parent is refused up front, with the reason, instead of after confirming.
  const parentDelete = row(page, "web-app").locator('[data-action="delete"]');
  assert(await parentDelete.isDisabled(), "a parent with a satellite can be deleted");
  assertEquals(
    await parentDelete.getAttribute("title"),
    "It is the parent of 1 satellite: delete it first",
  );
  await rowAction(page, "sat-one", "delete");
  await modal(page).locator('[data-choice="trash"]').click();
  await row(page, "sat-one").waitFor({ state: "detached" });
  await rowAction(page, "web-app", "delete");
  // Its terminal (opened above, at its prompt) is named: closing it stops nothing running.
  assertMatch(
    await modal(page).locator("[data-delete-terminals]").innerText(),
    /^Its (open terminal is|\d+ open terminals are) closed with it\.$/,
  );
  await modal(page).locator('[data-choice="trash"]').click();
  await row(page, "web-app").waitFor({ state: "detached" });
  await page.click('[data-action="trash"]');
  await page.locator('[data-trash-entry="web-app"] [data-action="restore"]').click();
  await row(page, "web-app").waitFor();
  await waitForToast(page, '"Web App" restored.');
  await page.locator('[data-trash-entry="sat-one"] [data-action="purge"]').click();
  await modal(page).locator('[data-choice="yes"]').click();
  await page.locator('[data-trash-entry="sat-one"]').waitFor({ state: "detached" });
  await page.getByText("The trash is empty.").waitFor();
}

/** Under each monitor bar, its last minutes: one more point per stats event (1 Hz). */
async function monitorTrends(page: Page): Promise<void> {
  const points = (name: string) =>
    page.evaluate((trend) => {
      const line = document.querySelector(`[data-trend="${trend}"] polyline`);
      return (line?.getAttribute("points") ?? "").split(" ").filter(Boolean).length;
    }, name);
  await page.waitForFunction(() =>
    (document.querySelector('[data-trend="cpu"] polyline')?.getAttribute("points") ?? "")
      .split(" ").length >= 3
  );
  for (const trend of ["cpu", "ram", "gpu:0:vram", "gpu:1:utilization"]) {
    assert((await points(trend)) >= 2, `the ${trend} trend has points`);
  }
  const before = await points("cpu");
  await page.waitForFunction(
    (count) =>
      (document.querySelector('[data-trend="cpu"] polyline')?.getAttribute("points") ?? "")
        .split(" ").length > count,
    before,
  );
  assertMatch(
    (await page.locator('[data-trend="cpu"]').getAttribute("aria-label")) ?? "",
    /^CPU \(\d+ cores\), last 1 min: \d+–\d+ %$/,
  );
}

/**
 * The usage history: samples of earlier hours (written into the server's database as its
 * recorder writes them) and the ones the server recorded itself since it started, with the gap
 * between them; a shorter range leaves the earlier ones out.
 */
async function usageHistory(b: BrowserHarness, page: Page): Promise<void> {
  const listed = await (await b.harness.fetch("/api/instances")).json() as Dto[];
  const webApp = listed.find((i) => i.slug === "web-app");
  assert(webApp, "web-app exists");
  const db = openDatabase(`${b.harness.dataDir}/aikore.db`);
  try {
    const repository = new UsageHistoryRepository(db);
    const hourAgo = (hours: number) => Date.now() - hours * 3600_000;
    // Web App two hours ago: two cores busy, 1 GiB of memory, 4 GiB of VRAM.
    repository.record({
      at: hourAgo(2),
      cpu_percent: 5,
      ram_percent: 5,
      gpus: [],
      instances: [{ id: webApp.id, cpu_percent: 200, rss_bytes: 2 ** 30, vram_bytes: 2 ** 32 }],
    });
    for (const hours of [5, 4.99, 4.98, 3]) {
      repository.record({
        at: hourAgo(hours),
        cpu_percent: 100,
        ram_percent: 50,
        gpus: [{
          id: 0,
          utilization_percent: 99,
          vram_percent: 90,
          temperature_c: 80,
          power_w: 650,
        }],
        instances: [],
      });
    }
  } finally {
    db.close();
  }
  await page.locator('[data-action="history"]').click();
  const host = page.locator('[data-chart="host"]');
  await host.waitFor();
  assertEquals(await page.locator("[data-tools-title]").textContent(), "Usage history");
  const lines = (chart: string) =>
    page.locator(
      `[data-chart="${chart}"] polyline.line-cpu, [data-chart="${chart}"] polyline.line-gpu-use`,
    )
      .count();
  // 24 h: 5 h ago (three samples in a row), 3 h ago, 2 h ago (the host's only), and since the
  // server started: four runs for the host, three for the GPU.
  assertEquals(await lines("host"), 4);
  assertEquals(await lines("gpu-0"), 3);
  await page.locator('[data-chart="gpu-1"]').waitFor();
  assertMatch(await host.locator(".history-legend").innerText(), /CPU mean \d.*max 100%/s);
  assertMatch(
    (await page.locator('[data-chart="gpu-0"] svg').getAttribute("aria-label")) ?? "",
    /^GPU 0 · .*, last 24 h: utilization mean .*, max 99%; .*power mean .* W, max 650 W$/,
  );
  await page.locator('[data-range="1"]').click();
  await page.waitForFunction(() =>
    document.querySelector('[data-range="1"]')?.getAttribute("aria-pressed") === "true" &&
    document.querySelectorAll('[data-chart="host"] polyline.line-cpu').length === 1
  );
  assertMatch((await host.locator("svg").getAttribute("aria-label")) ?? "", /last 1 h:/);
  await page.locator("#pane-tools").screenshot({ path: `${ARTIFACTS}usage-history.png` });

  // One instance's own history, from its Tools menu.
  await toolsMenu(page, "web-app", "usage");
  const rss = page.locator('[data-chart="instance-rss"]');
  await rss.waitFor();
  assertEquals(await page.locator("[data-tools-title]").textContent(), "Usage history: Web App");
  assertMatch(await rss.locator(".history-legend").innerText(), /RSS mean .*, max 1\.0 GB/);
  assertMatch(
    (await page.locator('[data-chart="instance-cpu"] svg').getAttribute("aria-label")) ?? "",
    /^CPU \(100 % = one core\), last 24 h: CPU mean .*, max 200%$/,
  );
  assertMatch(
    await page.locator('[data-chart="instance-vram"] .history-legend').innerText(),
    /max 4\.0 GB/,
  );
  assert((await rss.locator("polyline").count()) >= 1, "the memory line is drawn");
}

/** Writes `mib` MiB of random bytes (no file system stores them sparse). */
async function randomFile(path: string, mib: number): Promise<void> {
  const data = new Uint8Array(mib * 1048576);
  for (let at = 0; at < data.length; at += 65536) {
    crypto.getRandomValues(data.subarray(at, at + 65536));
  }
  await Deno.writeFile(path, data);
}

/**
 * The disk view: measured when it opens, web-app's folder named and its environment found in
 * it, and measured again after an output is written.
 */
async function diskUsage(b: BrowserHarness, page: Page): Promise<void> {
  const env = `${b.harness.dataDir}/instances/web-app/env`;
  await Deno.mkdir(env, { recursive: true });
  await randomFile(`${env}/torch.so`, 3);
  await page.locator('[data-action="disk"]').click();
  assertEquals(await page.locator("[data-tools-title]").textContent(), "Disk usage");
  const view = page.locator('[data-disk-state="done"]');
  await view.locator('[data-disk-path="instances"]').waitFor();
  assertMatch(
    await page.locator("[data-disk-summary]").innerText(),
    /^Data disk: .+ used of .+, .+ free\. AiKore's data folder holds \d/,
  );
  assertMatch(await page.locator("[data-disk-measured]").innerText(), /^Measured just now/);
  await page.locator('[data-disk-path="instances"] [aria-expanded="false"]').click();
  const instance = page.locator('[data-disk-path="instances/web-app"]');
  assertMatch(await instance.innerText(), /web-app\s+instance "Web App"/);
  const bytes = async (path: string) =>
    Number(
      await page.locator(`[data-disk-path="${path}"] [data-bytes]`).getAttribute("data-bytes"),
    );
  assert(await bytes("instances/web-app") >= 3 * 1048576, "its environment counts in it");
  await instance.locator('[aria-expanded="false"]').click();
  assertMatch(
    await page.locator('[data-disk-path="instances/web-app/env"]').innerText(),
    /env\s+its environment \(venv or conda\)\s+3\.\d MB/,
  );
  await page.locator("#pane-tools").screenshot({ path: `${ARTIFACTS}disk-usage.png` });

  await Deno.mkdir(`${b.harness.dataDir}/outputs/web-app`, { recursive: true });
  await randomFile(`${b.harness.dataDir}/outputs/web-app/image.png`, 2);
  await Deno.mkdir(`${b.harness.dataDir}/models/checkpoints`, { recursive: true });
  await page.locator('[data-action="measure-disk"]').click();
  await page.waitForFunction(() =>
    Number(
      document.querySelector('[data-disk-state="done"] [data-disk-path="outputs"] [data-bytes]')
        ?.getAttribute("data-bytes"),
    ) >= 2 * 1048576
  );
  // The expanded folders stay expanded across measurements.
  await page.locator('[data-disk-path="instances/web-app/env"]').waitFor();
  await page.locator('[data-disk-path="models"] [data-action="open-models"]').click();
  assertEquals(await page.locator("[data-tools-title]").textContent(), "Shared models");
}

Deno.test({
  name: "dashboard journey: create, start, console, app, terminal, editor, satellite, save, trash",
  // playwright-core keeps pipes and timers between calls; everything is closed in finally.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await using nvml = await fakeNvml({ gpuCount: 2, pids: [] });
    const b = await startBrowserHarness({
      AIKORE_NGINX: "managed",
      AIKORE_NVML_LIBRARY: nvml.library,
    });
    try {
      const { page } = b;
      await b.login();
      await createFromNewRow(page);
      await consoleAndApp(b, page);
      await page.locator("[data-gpu='1']").waitFor();
      await monitorTrends(page);
      await usageHistory(b, page);
      await diskUsage(b, page);
      await page.locator("#pane-monitor").screenshot({ path: `${ARTIFACTS}system-monitor.png` });
      const sockets: string[] = [];
      page.on("websocket", (socket) => sockets.push(socket.url()));
      await terminalSurvivesReload(b, page, sockets);
      await editScriptAndRestart(b, page);
      await addSatellite(page);
      await saveTwoRows(b, page);
      await b.screenshot("dashboard", page);
      await terminalReattaches(page, sockets);
      await stopDeleteRestore(page);
      assertEquals(await b.collectProblems(), []);
      const created = await api(b, "/api/instances");
      assertMatch(JSON.stringify(created), /web-app/);
    } catch (error) {
      await b.screenshot("journey-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
    }
  },
});
