/**
 * The instance plane in Chromium with a real AiKore, nginx and app: a browser without a login
 * on a port route goes to the dashboard login and lands back where it was; an app that sets
 * AiKore's cookie on its own port (Path=/ and Path=/api) neither logs the user out nor blocks
 * the dashboard API.
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { startBrowserHarness } from "./tests/helpers/browser.ts";
import { planeBlueprints } from "./tests/fixtures/gateway/plane_blueprints.ts";
import { TEST_PASSWORD } from "./tests/helpers/server_harness.ts";

async function startedInstance(
  fetcher: (path: string, init?: RequestInit) => Promise<Response>,
  name: string,
): Promise<{ id: number; port: number }> {
  const created = await (await fetcher("/api/instances", {
    method: "POST",
    body: JSON.stringify({ name, base_blueprint: "plane_app.sh" }),
  })).json();
  await (await fetcher(`/api/instances/${created.id}/start`, { method: "POST" })).body?.cancel();
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    const dto = await (await fetcher(`/api/instances/${created.id}`)).json();
    if (dto.status === "started") return { id: created.id, port: created.port };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not start`);
}

Deno.test("Chromium: login redirect round trip from a port route, and cookie tossing by an app changes nothing", async () => {
  const blueprints = await planeBlueprints();
  const bh = await startBrowserHarness({
    AIKORE_NGINX: "managed",
    AIKORE_BLUEPRINTS_DIR: blueprints,
  });
  try {
    const app = await startedInstance(bh.harness.fetch, "tosser");
    const deep = `http://127.0.0.1:${app.port}/deep/page?x=1`;

    // Round trip: the pool port sends a fresh browser to the dashboard login and back.
    const page = bh.page;
    await page.goto(deep);
    assertEquals(new URL(page.url()).origin, bh.base, "sent to the dashboard");
    assertEquals(new URL(page.url()).pathname, "/login");
    await page.fill("input[name=password]", TEST_PASSWORD);
    await Promise.all([page.waitForURL(deep), page.click("button[type=submit]")]);
    assertEquals(page.url(), deep, "back where it was");
    assertEquals((await page.textContent("body"))?.trim(), "tosser ok");

    // Cookie tossing: the app sets AiKore's cookie for the whole host, twice.
    const toss = new URL(`http://127.0.0.1:${app.port}/toss`);
    toss.searchParams.append("cookie", "aikore_session=tossed-root; Path=/");
    toss.searchParams.append("cookie", "aikore_session=tossed-api; Path=/api; Max-Age=31536000");
    await page.goto(toss.href);
    assertEquals((await page.textContent("body"))?.trim(), "tossed");
    const sessions = (await bh.context.cookies(bh.base)).filter((c) => c.name === "aikore_session");
    assertEquals(
      sessions.map((c) => [c.path, c.httpOnly]),
      [["/", true]],
      "only AiKore's own cookie",
    );

    await page.goto(`${bh.base}/`);
    assertEquals(new URL(page.url()).pathname, "/", "still logged in to the dashboard");
    const api = await page.evaluate(async () => (await fetch("/api/instances")).status);
    assertEquals(api, 200, "the dashboard API still works");
    const viaApp = await page.goto(`http://127.0.0.1:${app.port}/`);
    assertEquals(viaApp?.status(), 200, "and so does the app");
    const problems = (await bh.collectProblems()).filter((p) => !p.includes("favicon"));
    assert(problems.length === 0, problems.join("\n"));
  } finally {
    await bh.close();
    await Deno.remove(blueprints, { recursive: true }).catch(() => {});
  }
});
