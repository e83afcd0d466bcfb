/**
 * A browser without a login on a custom host name route (real AiKore, nginx and app) is sent
 * to the dashboard login on a dashboard name and back: the session reaches the custom host by
 * a one-time ticket (cookies are per host), used once, on that host only; the return URL is
 * checked (no open redirect). Raw HTTP with exact Host headers, then Chromium with the names
 * mapped to 127.0.0.1.
 */
import { chromium } from "playwright-core";
import { assert, assertEquals, assertMatch } from "./tests/helpers/assert.ts";
import { CHROMIUM, CHROMIUM_ARGS } from "./tests/helpers/browser.ts";
import { startGatewayHarness } from "./tests/helpers/gateway_harness.ts";
import { TEST_PASSWORD } from "./tests/helpers/server_harness.ts";
import { rawGet } from "./lib/nginx/testdata/raw_http.ts";
import { ensureIslandsBuilt } from "./tools/build_islands.ts";

const HOST = "comfy.lan";
const DASHBOARD_NAME = "gpu.lan";

async function hostedInstance(h: Awaited<ReturnType<typeof startGatewayHarness>>) {
  const created = await h.fetch("/api/instances", {
    method: "POST",
    body: JSON.stringify({
      name: "comfy",
      base_blueprint: "plane_app.sh",
      hostname: HOST,
      use_custom_hostname: true,
    }),
  });
  assertEquals(created.status, 201);
  const app = await created.json() as { id: number; port: number };
  await h.start(app.id);
  await h.waitStatus(app.id, "started");
  return app;
}

const header = (head: string, name: string) =>
  new RegExp(`^${name}: (.*)$`, "im").exec(head)?.[1]?.trim() ?? null;

Deno.test("a custom host name sends a browser to the dashboard login and back with a one-time ticket", async () => {
  const h = await startGatewayHarness({ AIKORE_ALLOWED_HOSTS: DASHBOARD_NAME });
  try {
    await hostedInstance(h);
    const dashPort = Number(new URL(h.url).port);
    const deep = `http://${HOST}:${dashPort}/deep?x=1`;
    const html = ["Accept: text/html"];
    const bounced = await rawGet(dashPort, "/deep?x=1", `${HOST}:${dashPort}`, html);
    assertEquals(bounced.status, 302);
    const login = new URL(header(bounced.head, "location") ?? "");
    assertEquals(login.origin, `http://${DASHBOARD_NAME}:${dashPort}`, "a dashboard name");
    assertEquals(login.pathname, "/login");
    const next = login.searchParams.get("next") ?? "";
    assertEquals(next, `/_aikore/return?to=${encodeURIComponent(deep)}`);
    const api = await rawGet(dashPort, "/deep", HOST);
    assertEquals(api.status, 401, "a non-browser client gets 401");

    const anonymous = await fetch(`${h.url}${next}`, { redirect: "manual" });
    assertEquals(anonymous.status, 303, "no session: log in first");
    assertEquals(anonymous.headers.get("location"), `/login?next=${encodeURIComponent(next)}`);
    await anonymous.body?.cancel();

    const claimPath = async () => {
      const page = await h.fetch(next, { redirect: "manual" });
      assertEquals(page.status, 200);
      const url = /url=(http:\/\/[^"]+)"/.exec(await page.text())?.[1]?.replaceAll("&amp;", "&");
      assert(url, "the page leads to the custom host's claim URL");
      const claimUrl = new URL(url);
      assertEquals(claimUrl.origin, `http://${HOST}:${dashPort}`);
      assertEquals(claimUrl.pathname, "/_aikore/claim");
      return `${claimUrl.pathname}${claimUrl.search}`;
    };
    const misused = await claimPath();
    const wrongHost = await rawGet(dashPort, misused, `${DASHBOARD_NAME}:${dashPort}`);
    assertEquals([wrongHost.status, header(wrongHost.head, "set-cookie")], [303, null]);
    const burnt = await rawGet(dashPort, misused, `${HOST}:${dashPort}`);
    assertEquals(burnt.status, 303, "a ticket tried on another host is used up");
    const path = await claimPath();
    const claimed = await rawGet(dashPort, path, `${HOST}:${dashPort}`);
    assertEquals(claimed.status, 200);
    const setCookie = header(claimed.head, "set-cookie") ?? "";
    assertMatch(setCookie, /^aikore_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict/);
    const cookie = setCookie.split(";")[0] ?? "";
    assertEquals(
      cookie,
      h.authHeaders().cookie,
      "the browser's own session, now on this host",
    );
    const again = await rawGet(dashPort, path, `${HOST}:${dashPort}`);
    assertEquals([again.status, header(again.head, "set-cookie")], [303, null], "used once");

    const app = await rawGet(dashPort, "/deep?x=1", `${HOST}:${dashPort}`, [`Cookie: ${cookie}`]);
    assertEquals(app.status, 200, "the app, with the session on its host");

    for (
      const evil of [
        `http://evil.example:${dashPort}/`,
        `http://${HOST}.evil.example:${dashPort}/`,
        `http://${HOST}:1/`,
        `//${HOST}:${dashPort}/`,
        `http://user@${HOST}:${dashPort}/`,
      ]
    ) {
      const refused = await h.fetch(`/_aikore/return?to=${encodeURIComponent(evil)}`, {
        redirect: "manual",
      });
      assertEquals([refused.status, refused.headers.get("location")], [303, "/"], evil);
      await refused.body?.cancel();
    }
  } finally {
    await h.close();
  }
});

Deno.test("Chromium: login round trip from a custom host name route", async () => {
  await ensureIslandsBuilt();
  const h = await startGatewayHarness({ AIKORE_ALLOWED_HOSTS: DASHBOARD_NAME });
  const rules = `MAP ${HOST} 127.0.0.1, MAP ${DASHBOARD_NAME} 127.0.0.1`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules}`],
  });
  try {
    await hostedInstance(h);
    const dashPort = Number(new URL(h.url).port);
    const deep = `http://${HOST}:${dashPort}/deep/page?x=1`;
    const page = await (await browser.newContext()).newPage();
    await page.goto(deep);
    assertEquals(new URL(page.url()).origin, `http://${DASHBOARD_NAME}:${dashPort}`);
    assertEquals(new URL(page.url()).pathname, "/login");
    await page.fill("input[name=password]", TEST_PASSWORD);
    await Promise.all([page.waitForURL(deep), page.click("button[type=submit]")]);
    assertEquals(page.url(), deep, "back where it was");
    assertEquals((await page.textContent("body"))?.trim(), "comfy ok");
    await page.reload();
    assertEquals((await page.textContent("body"))?.trim(), "comfy ok", "and stays signed in");
  } finally {
    await browser.close();
    await h.close();
  }
});
