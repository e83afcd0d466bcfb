/**
 * Tools and side features in Chromium: the legacy-import banner, a `yes` flood in a terminal
 * (the page stays responsive, Ctrl-C stops it), the terminal cap answered with a clear message,
 * closing a terminal, console search / download / "allow input", the
 * version check, View disabled with the gateway's reason, the outputs browser, and the settings page (API tokens,
 * password change with the renewed CSRF token, audit log).
 */
import type { Page } from "playwright-core";
import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { type BrowserHarness, startBrowserHarness } from "../helpers/browser.ts";
import { buildLegacyDb } from "../fixtures/legacy/build_legacy_db.ts";
import { TEST_PASSWORD } from "../helpers/server_harness.ts";
import { startWebhookReceiver } from "../helpers/webhook_receiver.ts";
import { payloadOf, serveFile } from "../../lib/downloads/test_support.ts";
import { rgbPng } from "../../lib/thumbnails/test_support.ts";
import {
  modal,
  row,
  rowAction,
  toolsMenu,
  waitForStatus,
  waitForTerminalText,
  waitForToast,
} from "./dashboard_page.ts";

async function legacyImport(page: Page): Promise<void> {
  const banner = page.getByRole("region", { name: "Import from the Python AiKore" });
  await banner.waitFor();
  assertMatch(await banner.innerText(), /\d+ instance\(s\) can be imported/);
  await banner.getByRole("button", { name: "Import" }).click();
  await waitForToast(page, /Imported \d+ instance\(s\)/);
  await banner.waitFor({ state: "detached" });
  assert((await page.locator("tr.instance-row").count()) > 1, "imported rows did not appear");
}

/** How long the page's main thread takes to answer a script (ms). */
async function pageAnswerMs(page: Page): Promise<number> {
  const started = performance.now();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  return performance.now() - started;
}

/**
 * A `yes` flood in the terminal never freezes the page (the shell waits for the browser's acks),
 * and Ctrl-C stops it at once: the keystroke reaches the shell's terminal without queueing
 * behind the flood's output.
 */
async function terminalFlood(page: Page): Promise<void> {
  await page.locator("[data-terminal] .xterm-helper-textarea").focus();
  await page.keyboard.type("yes flood-line\n");
  await waitForTerminalText(page, "[data-terminal]", /^flood-line\s*$/m);
  const answers: number[] = [];
  for (let probe = 0; probe < 5; probe++) answers.push(await pageAnswerMs(page));
  assert(Math.max(...answers) < 1000, `the page answered in ${answers.map(Math.round)} ms`);
  await page.keyboard.press("Control+C");
  await page.keyboard.type("echo flood-over-$((6*7))\n");
  await waitForTerminalText(page, "[data-terminal]", /^flood-over-42\s*$/m, 10_000);
}

async function terminals(page: Page): Promise<void> {
  await toolsMenu(page, "logs", "terminal");
  await waitForTerminalText(page, "[data-terminal]", "(logs)");
  await terminalFlood(page);
  await page.click('[data-action="new-terminal"]');
  const toast = await waitForToast(page, "No terminal opened");
  assertMatch(await toast.innerText(), /Too many terminals open \(1\)/);
  // Closing asks; with a job running in the shell, the question says so.
  await page.getByRole("button", { name: "Close terminal logs" }).click();
  await modal(page).getByText("any program still running in it").waitFor();
  await modal(page).getByRole("button", { name: "Cancel" }).click();
  await modal(page).waitFor({ state: "detached" });
  await page.locator("[data-terminal] .xterm-helper-textarea").focus();
  await page.keyboard.type("sleep 300 & echo job-$((6*7))\n");
  await waitForTerminalText(page, "[data-terminal]", /^job-42\s*$/m);
  await page.getByRole("button", { name: "Close terminal logs" }).click();
  assertEquals(
    await modal(page).locator("h2").innerText(),
    'Close the terminal "logs" while it runs a job?',
  );
  await modal(page).getByText("closing the terminal ends its shell and the job with it").waitFor();
  await modal(page).locator('[data-choice="yes"]').click();
  await page.getByText("No terminal is open.").waitFor();
}

async function consoleFeatures(page: Page, sockets: string[]): Promise<void> {
  await rowAction(page, "logs", "start");
  await waitForStatus(page, "logs", "started");
  await rowAction(page, "logs", "logs");
  await waitForTerminalText(page, "[data-console]", "READY on port");
  const find = page.getByLabel("Find in output");
  await find.fill("READY");
  await find.press("Enter");
  assertEquals(await find.getAttribute("aria-invalid"), null);
  await page.waitForFunction(() =>
    /^1 of \d+$/.test(document.querySelector("[data-search-count]")?.textContent ?? "")
  );
  await find.fill("no such text anywhere");
  await find.press("Enter");
  assertEquals(await find.getAttribute("aria-invalid"), "true");
  // Match case and regular expressions: "ready" matches only without case; a bad pattern says why.
  await find.fill("ready on port \\d+");
  await page.locator('[data-search-option="regex"]').click();
  assertEquals(
    await page.locator('[data-search-option="regex"]').getAttribute("aria-pressed"),
    "true",
  );
  await find.press("Enter");
  await page.waitForFunction(() =>
    /^1 of \d+$/.test(document.querySelector("[data-search-count]")?.textContent ?? "")
  );
  await page.locator('[data-search-option="case"]').click();
  await find.press("Enter");
  assertEquals(await find.getAttribute("aria-invalid"), "true", "case sensitive: no match");
  await find.fill("READY (");
  assertEquals(await find.getAttribute("aria-invalid"), "true");
  assertMatch((await find.getAttribute("title")) ?? "", /Invalid regular expression/);
  await page.locator('[data-search-option="regex"]').click();
  await page.locator('[data-search-option="case"]').click();
  const id = await row(page, "logs").getAttribute("data-instance-id");
  assertEquals(
    await page.locator('[data-action="download-log"]').getAttribute("href"),
    `/api/instances/${id}/logs/download`,
  );
  // "As text": what the console shows, without its escape sequences, fetched as the link would.
  const asText = await page.locator('[data-action="download-text"]').getAttribute("href");
  assertEquals(asText, `/api/instances/${id}/logs/download?plain=1`);
  const plainLog = await page.evaluate(
    async (href) => await (await fetch(href ?? "")).text(),
    asText,
  );
  assert(
    plainLog.length > 0 && !plainLog.includes("\x1b"),
    `plain text: ${plainLog.slice(0, 200)}`,
  );
  await page.locator('[data-action="allow-input"]').check();
  await page.locator('[data-console-state="open"]').waitFor();
  assert(sockets.some((url) => url.endsWith(`/api/instances/${id}/console?input=1`)), "input=1");
  assertMatch(await page.locator("[data-console-state]").innerText(), /input on/);
  // Not published (AIKORE_NGINX=off): View and Open say why.
  const view = row(page, "logs").locator('[data-action="view"]');
  assert(await view.isDisabled());
  assertMatch((await view.getAttribute("title")) ?? "", /not published/);
}

async function versionCheck(page: Page): Promise<void> {
  await toolsMenu(page, "logs", "versions");
  await page.locator("[data-versions]").waitFor({ timeout: 30_000 });
  assertMatch(await page.locator("[data-versions]").innerText(), /Python 3\./);
}

/** A 1×1 PNG: a real image, so that the thumbnail must load under the page's CSP. */
const PIXEL_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/**
 * The outputs browser: a thumbnail (made by the server) that loads and shows the picture, a
 * folder to enter and leave, a download.
 */
async function outputs(b: BrowserHarness, page: Page, dataDir: string): Promise<void> {
  const folder = `${dataDir}/outputs/logs`; // made by the start, as the app's output folder
  const pixel = Uint8Array.from(atob(PIXEL_PNG), (c) => c.charCodeAt(0));
  // 900 × 600: red on the left, blue on the right.
  const picture = await rgbPng(900, 600, (x) => (x < 450 ? [230, 20, 20] : [20, 20, 230]));
  await Deno.writeFile(`${folder}/cat 1.png`, picture);
  await Deno.mkdir(`${folder}/2026-12-06`);
  await Deno.writeTextFile(`${folder}/2026-12-06/prompt.txt`, "a cat on a GPU\n");
  await Deno.symlink("/etc", `${folder}/etc-link`);
  await toolsMenu(page, "logs", "outputs");
  const grid = page.locator("[data-outputs]");
  await grid.waitFor();
  assertEquals(await page.locator("[data-tools-title]").textContent(), "Outputs: logs");
  const names = await grid.locator("[data-output]").evaluateAll((items) =>
    items.map((item) => item.getAttribute("data-output"))
  );
  assertEquals(names[0], "2026-12-06", "folders first");
  assertEquals(names.slice(1).sort(), ["cat 1.png", "etc-link"]);
  assertMatch(await grid.locator('[data-output="etc-link"]').innerText(), /does not follow links/);
  const thumbnail = grid.locator('[data-output="cat 1.png"] img');
  assertMatch(
    (await thumbnail.getAttribute("src")) ?? "",
    /\/outputs\/thumbnail\?path=cat%201\.png&v=/,
  );
  // Chromium decodes the server's JPEG: its size, and the picture's two halves.
  const shown = await thumbnail.evaluate(async (img: HTMLImageElement) => {
    if (!img.complete) {
      await new Promise((resolve) => {
        img.addEventListener("load", resolve);
        img.addEventListener("error", resolve);
      });
    }
    if (img.naturalWidth === 0) return null;
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context?.drawImage(img, 0, 0);
    const at = (x: number) =>
      Array.from(context?.getImageData(x, 100, 1, 1).data ?? []).slice(0, 3);
    return { width: img.naturalWidth, height: img.naturalHeight, left: at(40), right: at(280) };
  });
  assert(shown !== null, "the thumbnail loaded under the page's CSP");
  assertEquals([shown.width, shown.height], [320, 213]);
  const near = (got: number[], want: number[]) =>
    got.every((v, i) => Math.abs(v - (want[i] ?? 0)) <= 12);
  assert(
    near(shown.left, [230, 20, 20]) && near(shown.right, [20, 20, 230]),
    JSON.stringify(shown),
  );
  // A new output shows up by itself: the view's listing waits on the server for a change.
  await Deno.writeFile(`${folder}/cat 2.png`, pixel);
  await grid.locator('[data-output="cat 2.png"]').waitFor({ timeout: 15_000 });

  await grid.locator('[data-output="2026-12-06"] button').click();
  await page.locator('[data-output="prompt.txt"]').waitFor();
  assertEquals(
    await page.locator(".outputs-crumbs [aria-current]").innerText(),
    "2026-12-06",
  );
  const download = await page.locator('[data-output="prompt.txt"] a[download]').getAttribute(
    "href",
  );
  const answer = await page.evaluate(async (href) => {
    const response = await fetch(href ?? "");
    return {
      disposition: response.headers.get("content-disposition"),
      text: await response.text(),
    };
  }, download);
  assertMatch(answer.disposition ?? "", /^attachment; filename="prompt\.txt"/);
  assertEquals(answer.text, "a cat on a GPU\n");
  await page.locator('[data-outputs-crumb=""]').click();
  await page.locator('[data-output="cat 1.png"]').waitFor();
  await b.screenshot("outputs", page);
}

/**
 * The shared models: a folder with its size, a file deleted after a confirm, a model
 * downloaded into the folder (with a token) from a real HTTP server, shown until done, and a
 * new folder made.
 */
async function models(page: Page, dataDir: string): Promise<void> {
  await Deno.mkdir(`${dataDir}/models/checkpoints`, { recursive: true });
  await Deno.writeFile(`${dataDir}/models/checkpoints/old.safetensors`, new Uint8Array(3000));
  await page.locator('[data-action="models"]').click();
  const folder = page.locator('[data-output="checkpoints"]');
  assertMatch(await folder.innerText(), /^checkpoints\s+2\.9 KB · /);
  await folder.locator("button.output-open").click();
  const file = page.locator('[data-output="old.safetensors"]');
  await file.locator('[data-action="delete-entry"]').click();
  assertMatch(await modal(page).innerText(), /deleted for good/);
  await modal(page).locator('[data-choice="yes"]').click();
  await waitForToast(page, "Deleted old.safetensors.");
  await file.waitFor({ state: "detached" });
  await page.getByText("Empty folder.").waitFor();
  assertEquals(
    await Deno.readDir(`${dataDir}/models/checkpoints`)[Symbol.asyncIterator]().next()
      .then((r) => r.done),
    true,
  );

  const server = serveFile(payloadOf(3 * 1024 * 1024));
  try {
    await page.locator('[data-action="model-download"]').click();
    assertMatch(await modal(page).innerText(), /Download into models\/checkpoints/);
    await modal(page).locator("input[name=url]").fill("ftp://nope");
    await modal(page).getByText("must be an http:// or https:// address").waitFor();
    await modal(page).locator("input[name=url]").fill(
      `${server.url}/repo/resolve/main/new.safetensors`,
    );
    assertEquals(await modal(page).locator("input[name=token]").getAttribute("type"), "password");
    await modal(page).locator("input[name=token]").fill("hf_e2e");
    await modal(page).getByRole("button", { name: "Download" }).click();
    await waitForToast(page, "Download added.");
    const item = page.locator('[data-download][data-status="done"]');
    await item.waitFor();
    assertMatch(await item.innerText(), /new\.safetensors[\s\S]*3\.0 MB, done/);
    await page.locator('[data-output="new.safetensors"]').waitFor();
    assertEquals(
      await Deno.readFile(`${dataDir}/models/checkpoints/new.safetensors`),
      server.payload,
    );
    assertEquals(server.requests.map((r) => r.authorization), ["Bearer hf_e2e"]);
    // A preview saved beside the model (NAME.preview.png) becomes the model's thumbnail.
    await Deno.writeFile(
      `${dataDir}/models/checkpoints/new.preview.png`,
      await rgbPng(512, 768, () => [40, 160, 90]),
    );
    const preview = page.locator('[data-output="new.safetensors"] img');
    await preview.waitFor({ timeout: 15_000 });
    assertEquals(await preview.getAttribute("alt"), "Preview of new.safetensors");
    assertMatch(
      (await preview.getAttribute("src")) ?? "",
      /^\/api\/system\/models\/thumbnail\?path=checkpoints%2Fnew\.preview\.png&v=/,
    );
    await page.waitForFunction(() =>
      (document.querySelector('[data-output="new.safetensors"] img') as HTMLImageElement | null)
        ?.naturalWidth === 213
    );
    await item.locator('[data-action="download-remove"]').click();
    await item.waitFor({ state: "detached" });
    await page.locator('[data-action="new-folder"]').click();
    await modal(page).locator("input[name=name]").fill("sdxl");
    await modal(page).getByRole("button", { name: "Make folder" }).click();
    await waitForToast(page, "Made models/checkpoints/sdxl.");
    await page.locator('[data-output="sdxl"]').waitFor();
    assert((await Deno.stat(`${dataDir}/models/checkpoints/sdxl`)).isDirectory, "folder made");
  } finally {
    await server.close();
  }
}

async function settings(b: BrowserHarness, page: Page): Promise<void> {
  await page.goto(`${b.base}/settings`);
  await page.waitForSelector("[data-island][data-hydrated]");
  const createToken = async (name: string) => {
    await page.click('[data-action="new-token"]');
    await modal(page).locator("input[name=name]").fill(name);
    await modal(page).getByRole("button", { name: "Create token" }).click();
    const shown = modal(page).getByLabel("New API token");
    assertMatch(await shown.inputValue(), /^aik_/);
    await modal(page).getByRole("button", { name: "Done" }).click();
    await page.locator(`tr[data-token="${name}"]`).waitFor();
  };
  await createToken("ci");
  const form = page.locator("form.settings-form");
  await form.locator("input[name=current]").fill("wrong password");
  await form.locator("input[name=new]").fill("a brand new password");
  await form.locator("input[name=repeat]").fill("a brand new password");
  await form.getByRole("button", { name: "Change password" }).click();
  assertMatch(await form.getByRole("alert").innerText(), /Wrong password/);
  await form.locator("input[name=current]").fill(TEST_PASSWORD);
  await form.getByRole("button", { name: "Change password" }).click();
  await waitForToast(page, "Password changed");
  // The session was renewed: the next change uses the new CSRF token.
  await page.locator('tr[data-token="ci"]').getByRole("button", { name: "Revoke" }).click();
  await modal(page).locator('[data-choice="yes"]').click();
  await waitForToast(page, 'Token "ci" revoked.');
  await page.locator('tr[data-token="ci"]').waitFor({ state: "detached" });
  await page.locator('tr[data-audit-action="instance.start"]').first().waitFor();
  await customBlueprints(page);
  await notifications(page);
  await b.screenshot("settings", page);
}

/** A webhook set in Settings, shown by its origin only, and a test delivered to it. */
async function notifications(page: Page): Promise<void> {
  const hook = startWebhookReceiver();
  try {
    const card = page.locator("[data-notifications]");
    await card.locator("input[name=webhook]").fill(`${hook.url}/alerts/secret-topic`);
    await card.locator("select[name=format]").selectOption("slack");
    await card.locator("input[name=event-finished]").uncheck();
    await card.getByRole("button", { name: "Save" }).click();
    await waitForToast(page, "Notification settings saved.");
    assertEquals(
      await card.locator("[data-notifications-state]").innerText(),
      `On: sent to ${hook.url}/…`,
    );
    await card.locator('[data-action="notifications-test"]').click();
    await waitForToast(page, "Test delivered (HTTP 204).");
    const sent = await hook.nth(1);
    assertEquals(sent.path, "/alerts/secret-topic");
    assertMatch(JSON.parse(sent.body).text, /test notification/);
    assertMatch(await card.locator("[data-last-delivery]").innerText(), /Delivered .*HTTP 204/);
    await page.reload();
    await page.waitForSelector("[data-island][data-hydrated]");
    assertEquals(await card.locator("select[name=format]").inputValue(), "slack");
    assertEquals(await card.locator("input[name=event-finished]").isChecked(), false);
  } finally {
    await hook.close();
  }
}

/** The custom blueprint saved before the page loaded: listed, its text shown, deleted. */
async function customBlueprints(page: Page): Promise<void> {
  const row = page.locator('tr[data-blueprint="Saved.sh"]');
  assertMatch(await row.innerText(), /Saved\.sh\s+Saved one\s+Mine/);
  await row.getByRole("button", { name: "View" }).click();
  assertMatch(await page.locator("[data-blueprint-text]").innerText(), /echo saved/);
  await row.locator('[data-action="delete-blueprint"]').click();
  await modal(page).locator('[data-choice="yes"]').click();
  await waitForToast(page, 'Blueprint "Saved.sh" deleted.');
  await row.waitFor({ state: "detached" });
  await page.locator("[data-blueprint-text]").waitFor({ state: "detached" });
  await page.getByText("None yet.").waitFor();
}

Deno.test({
  name: "dashboard tools: legacy import, terminal cap, console, version check, settings",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "aikore-ui-legacy-" });
    buildLegacyDb(`${dataDir}/aikore.db`, 6);
    const b = await startBrowserHarness({
      AIKORE_DATA_DIR: dataDir,
      AIKORE_TERMINAL_LIMIT: "1",
    });
    try {
      await b.harness.fetch("/api/instances", {
        method: "POST",
        body: JSON.stringify({ name: "logs", base_blueprint: "log_ready.sh" }),
      }).then((r) => r.body?.cancel());
      await b.harness.fetch("/api/system/blueprints/custom", {
        method: "POST",
        body: JSON.stringify({
          filename: "Saved.sh",
          content: "### AIKORE-METADATA-START ###\n# aikore.name = Saved one\n" +
            "# aikore.category = Mine\n### AIKORE-METADATA-END ###\necho saved\n",
        }),
      }).then((r) => r.body?.cancel());
      const { page } = b;
      const sockets: string[] = [];
      page.on("websocket", (socket) => sockets.push(socket.url()));
      await b.login();
      await legacyImport(page);
      await terminals(page);
      await consoleFeatures(page, sockets);
      await versionCheck(page);
      await outputs(b, page, dataDir);
      await models(page, dataDir);
      await settings(b, page);
      // Chromium logs the one refused request of the wrong-password attempt; nothing else.
      const problems = await b.collectProblems();
      assertEquals(problems.length, 1, problems.join("\n"));
      assertMatch(problems[0] ?? "", /status of 401 .*\/api\/auth\/password\)$/);
    } catch (error) {
      await b.screenshot("tools-failure").catch(() => {});
      throw error;
    } finally {
      await b.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
