/**
 * Chromium against a real AiKore (tier 2): the island bundle is built when stale, the
 * browser logs in through the real /login page, and every console error, page error and CSP
 * violation is collected so a test can fail on any.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
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

/**
 * A managed nginx ends long-lived connections of old workers after a reload (every publish):
 * the event stream is cut and EventSource resumes by itself.
 */
const CUT_EVENT_STREAM = /^Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING/;

function expected(text: string, url: string): boolean {
  return EXPECTED_REFUSAL.test(text) ||
    (CUT_EVENT_STREAM.test(text) && /^https?:\/\/[^/]+\/api\/events(\?|$)/.test(url));
}

function watch(page: Page, problems: string[]): void {
  page.on("console", (message) => {
    if (message.type() !== "error" || expected(message.text(), message.location().url)) return;
    const where = message.location().url;
    problems.push(`console error: ${message.text()}${where ? ` (${where})` : ""}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
}

/** Starts AiKore (env overrides its configuration) and Chromium at 1366×768. */
export async function startBrowserHarness(
  env: Record<string, string> = {},
): Promise<BrowserHarness> {
  await ensureIslandsBuilt();
  const harness = await startServerHarness(env);
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
    base: harness.url,
    browser,
    context,
    page,
    problems,
    newPage,
    async login(target = page) {
      await target.goto(`${harness.url}/login?next=/`);
      await target.fill("input[name=password]", TEST_PASSWORD);
      await Promise.all([
        target.waitForURL(`${harness.url}/`),
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
      await harness.close();
    },
  };
}
