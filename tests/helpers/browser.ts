/**
 * Chromium against a real AiKore (tier 2): the island bundle is built when stale, the
 * browser logs in through the real /login page, and every console error, page error and CSP
 * violation is collected so a test can fail on any.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { buildApp } from "../../app.ts";
import { toInstanceDto, urlContextOf } from "../../lib/instances/mod.ts";
import { registerDashboardPages } from "../../routes/pages/dashboard.tsx";
import { registerStaticAssets } from "../../routes/pages/static_assets.ts";
import { ensureIslandsBuilt } from "../../tools/build_islands.ts";
import { type ServerHarness, startServerHarness, TEST_PASSWORD } from "./server_harness.ts";

export const CHROMIUM = "/usr/lib/chromium/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
];
/** Where tests write screenshots (gitignored). */
export const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;

export interface BrowserHarness {
  harness: ServerHarness;
  /** Origin the browser uses for the dashboard. */
  base: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  /** Opens a page in the same context with the same problem collection. */
  newPage(): Promise<Page>;
  /** Signs in through the login form and lands on the dashboard. */
  login(page?: Page): Promise<void>;
  /** Problems plus the CSP violations recorded in every open page. */
  collectProblems(): Promise<string[]>;
  screenshot(name: string, page?: Page): Promise<string>;
  close(): Promise<void>;
}

type CspWindow = { __csp?: string[] };

/** Chromium logs every refused request; refusals the UI explains (409/422/429) are expected. */
const EXPECTED_REFUSAL =
  /^Failed to load resource: the server responded with a status of (409|422|429)/;

function watch(page: Page, problems: string[]): void {
  page.on("console", (message) => {
    if (message.type() !== "error" || EXPECTED_REFUSAL.test(message.text())) return;
    problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
}

/**
 * The dashboard's origin. Until app.ts registers the pages, the same services are served a
 * second time with them added (same database, events, auth and sessions).
 */
async function dashboardOrigin(
  harness: ServerHarness,
): Promise<{ base: string; stop: () => Promise<void> }> {
  const probe = await harness.fetch("/");
  const text = await probe.text();
  if (text.includes('data-island="Dashboard"')) return { base: harness.url, stop: async () => {} };
  const running = harness.server;
  const { app } = buildApp(running.services, {
    publication: (record) => running.gateway.publication(record),
    stats: running.stats,
    gpu: running.gpu,
    legacyDatabase: running.legacyDatabase,
  });
  registerStaticAssets(app);
  registerDashboardPages(app, {
    service: running.services.instances,
    present: (record, c) =>
      toInstanceDto(
        record,
        urlContextOf(c.req.url, c.req.header("host"), c.req.header("x-forwarded-proto")),
        running.gateway.publication(record),
      ),
    catalog: running.services.catalog,
    gpu: running.gpu,
    portRange: running.services.config.portRange,
    authEnabled: running.services.auth.authEnabled,
    version: "test",
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return { base: `http://127.0.0.1:${server.addr.port}`, stop: () => server.shutdown() };
}

/** Starts AiKore (env overrides its configuration) and Chromium at 1366×768. */
export async function startBrowserHarness(
  env: Record<string, string> = {},
): Promise<BrowserHarness> {
  await ensureIslandsBuilt();
  const harness = await startServerHarness(env);
  const origin = await dashboardOrigin(harness);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const list = ((globalThis as unknown as CspWindow).__csp ??= []);
      list.push(`CSP ${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
    });
  });
  const problems: string[] = [];
  const pages: Page[] = [];
  const newPage = async () => {
    const page = await context.newPage();
    watch(page, problems);
    pages.push(page);
    return page;
  };
  const page = await newPage();
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  return {
    harness,
    base: origin.base,
    browser,
    context,
    page,
    problems,
    newPage,
    async login(target = page) {
      await target.goto(`${origin.base}/login?next=/`);
      await target.fill("input[name=password]", TEST_PASSWORD);
      await Promise.all([
        target.waitForURL(`${origin.base}/`),
        target.click("button[type=submit]"),
      ]);
      await target.waitForSelector("[data-island][data-hydrated]");
    },
    async collectProblems() {
      const csp: string[] = [];
      for (const open of pages) {
        if (open.isClosed()) continue;
        csp.push(...await open.evaluate(() => (globalThis as unknown as CspWindow).__csp ?? []));
      }
      return [...problems, ...csp];
    },
    async screenshot(name, target = page) {
      const path = `${ARTIFACTS}${name}.png`;
      await target.screenshot({ path });
      return path;
    },
    async close() {
      await browser.close().catch(() => {});
      await origin.stop();
      await harness.close();
    },
  };
}
