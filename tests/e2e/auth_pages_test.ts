/**
 * The login and setup pages in real Chromium under the real CSP: the setup link sets the
 * password, the login form signs in, with no JavaScript on the pages and zero CSP violations
 * or console errors.
 */
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser.ts";
import { assert, assertEquals } from "../helpers/assert.ts";
import { createAuthTestApp } from "../helpers/auth_app.ts";

const PASSWORD = "browser test password";

Deno.test({
  name: "browser: setup link sets the password, login form signs in, CSP clean",
  // playwright-core keeps its own pipes and timers open between calls; everything is closed in
  // the finally block, but the op sanitizer cannot see that through the npm layer.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await createAuthTestApp({ password: null });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req, info) => t.app.fetch(req, info),
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
    });
    const problems: string[] = [];
    try {
      const context = await browser.newContext();
      await context.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (event) => {
          const list = ((globalThis as unknown as { __csp?: string[] }).__csp ??= []);
          list.push(`${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      const page = await context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") {
          problems.push(`console ${message.type()}: ${message.text()}`);
        }
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      const cspViolations = () =>
        page.evaluate(() => (globalThis as unknown as { __csp?: string[] }).__csp ?? []);

      const token = t.auth.issueSetupToken();
      assert(token);
      await page.goto(`${base}/setup?token=${token}`);
      assertEquals(await page.locator("script").count(), 0, "the setup page has a script");
      assertEquals(
        await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
        "rgb(13, 17, 23)",
        "app.css not applied",
      );
      await page.fill("input[name=password]", PASSWORD);
      await page.fill("input[name=confirm]", PASSWORD);
      await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
      assertEquals(await page.textContent("main"), "dashboard");
      assert(t.auth.passwordIsSet());
      problems.push(...await cspViolations());

      const fresh = await browser.newContext();
      const login = await fresh.newPage();
      login.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") {
          problems.push(`console ${message.type()}: ${message.text()}`);
        }
      });
      await login.goto(`${base}/`);
      assertEquals(new URL(login.url()).pathname, "/login");
      assertEquals(new URL(login.url()).searchParams.get("next"), "/");
      assertEquals(await login.locator("script").count(), 0, "the login page has a script");
      await login.fill("input[name=password]", PASSWORD);
      await Promise.all([login.waitForURL(`${base}/`), login.click("button[type=submit]")]);
      assertEquals(await login.textContent("main"), "dashboard");
      const [cookie] = await fresh.cookies();
      assertEquals(cookie?.name, "aikore_session");
      assertEquals(cookie?.httpOnly, true);
      assertEquals(cookie?.sameSite, "Strict");
      assertEquals(await login.evaluate(() => document.cookie), "", "session readable by script");
      problems.push(
        ...await login.evaluate(() => (globalThis as unknown as { __csp?: string[] }).__csp ?? []),
      );
      assertEquals(problems, []);
      await fresh.close();
      await context.close();
    } finally {
      await browser.close();
      await server.shutdown();
      await t.close();
    }
  },
});
