import { assert, assertEquals } from "./assert.ts";
import { createAuthTestApp, peerEnv, TEST_PASSWORD } from "./auth_app.ts";
import {
  assertCsrfMatrix,
  assertNoUnauthenticatedSurface,
  assertSecurityHeaders,
  routeInventory,
} from "./security_suites.ts";

const env = peerEnv("192.0.2.10");

Deno.test("T01: no route answers without credentials (fresh server and set-up server)", async () => {
  for (const password of [null, TEST_PASSWORD]) {
    const t = await createAuthTestApp({ password });
    try {
      const routes = routeInventory(t.app);
      assert(routes.length >= 25, `inventory has only ${routes.length} routes`);
      const checked = await assertNoUnauthenticatedSurface(t.app, routes, { env });
      assert(checked > routes.length, "upgrade variants were not sent");
      assertEquals(t.effects.count, 0);
      assertEquals(t.spawns.count, 0);
    } finally {
      await t.close();
    }
  }
});

Deno.test("T05: every state-changing route refuses the 6 cross-site variants", async () => {
  const t = await createAuthTestApp();
  try {
    const routes = routeInventory(t.app);
    const snapshot = () => ({
      effects: t.effects.count,
      tokens: t.auth.listTokens().length,
      settings: t.auth.passwordIsSet(),
    });
    const checked = await assertCsrfMatrix(t.app, routes, () => t.login(), { env, snapshot });
    const changing = routes.filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method));
    assert(checked >= changing.length * 6, `${checked} requests for ${changing.length} routes`);
    assertEquals(t.effects.count, 0);
    // Control: the same session with the exact Origin and its token gets through.
    const { cookie, csrfToken } = await t.login();
    const ok = await t.request("/api/things/1", {
      method: "PUT",
      headers: {
        Cookie: cookie,
        Origin: "http://localhost",
        "X-CSRF-Token": csrfToken,
        "Content-Type": "application/json",
      },
      body: "{}",
    });
    assertEquals(ok.status, 200);
    assertEquals(t.effects.count, 1);
  } finally {
    await t.close();
  }
});

Deno.test("T05 with AIKORE_AUTH=off: the Origin checks still apply", async () => {
  const t = await createAuthTestApp({ authEnabled: false });
  try {
    const routes = routeInventory(t.app).filter((r) => r.path.startsWith("/api/things"));
    const none = () => Promise.resolve({ cookie: "", csrfToken: "" });
    await assertCsrfMatrix(t.app, routes, none, { env, snapshot: () => t.effects.count });
    assertEquals(t.effects.count, 0);
    const ok = await t.request("/api/things", {
      method: "POST",
      headers: { Origin: "http://localhost", "Content-Type": "application/json" },
      body: "{}",
    });
    assertEquals(ok.status, 200);
    const page = await (await t.request("/")).text();
    assert(page.includes("Authentication is OFF"), "no auth-off banner on the dashboard");
  } finally {
    await t.close();
  }
});

Deno.test("T09: security headers on every page and API answer, no stack traces", async () => {
  const t = await createAuthTestApp();
  try {
    const routes = routeInventory(t.app);
    const login = await t.login();
    const checked = await assertSecurityHeaders(t.app, routes, login, { env });
    assert(checked >= routes.filter((r) => r.method === "GET").length * 2);
    const boom = await t.request("/api/boom", { headers: { Cookie: login.cookie } });
    assertEquals(boom.status, 500);
    assertEquals((await boom.json()).error.message, "Internal server error");
    assert(t.logs.some((line) => line.includes("secret internal detail")), "5xx not logged");
  } finally {
    await t.close();
  }
});
