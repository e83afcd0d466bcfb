import { assertEquals } from "../../../tests/helpers/assert.ts";
import { createAuthTestApp } from "../../../tests/helpers/auth_app.ts";

const ORIGIN = "http://localhost";

Deno.test("a session needs the exact Origin and its own CSRF token on /api", async () => {
  const t = await createAuthTestApp();
  try {
    const a = await t.login();
    const b = await t.login(undefined, "192.0.2.11");
    const send = (headers: Record<string, string>) =>
      t.request("/api/things", {
        method: "POST",
        headers: { Cookie: a.cookie, "Content-Type": "application/json", ...headers },
        body: "{}",
      });
    const missing = await send({ Origin: ORIGIN });
    assertEquals([missing.status, (await missing.json()).error.code], [403, "csrf_token"]);
    assertEquals((await send({ Origin: ORIGIN, "X-CSRF-Token": b.csrfToken })).status, 403);
    assertEquals((await send({ Origin: ORIGIN, "X-CSRF-Token": a.csrfToken + "0" })).status, 403);
    assertEquals((await send({ Origin: ORIGIN, "X-CSRF-Token": a.csrfToken })).status, 200);
    assertEquals(t.effects.count, 1);
    // Sec-Fetch-Site alone is not enough: Origin is required.
    const fetchSite = await send({ "Sec-Fetch-Site": "same-origin", "X-CSRF-Token": a.csrfToken });
    assertEquals(fetchSite.status, 403);
    // A body without Content-Type is fine; any non-JSON type is refused.
    const noType = await t.request("/api/things/1", {
      method: "DELETE",
      headers: { Cookie: a.cookie, Origin: ORIGIN, "X-CSRF-Token": a.csrfToken },
    });
    assertEquals(noType.status, 200);
    assertEquals((await send({ Origin: ORIGIN, "Content-Type": "text/plain" })).status, 415);
  } finally {
    await t.close();
  }
});

Deno.test("bearer-token requests skip the Origin and CSRF checks; cookies from a page do not", async () => {
  const t = await createAuthTestApp();
  try {
    const { token } = t.auth.createToken("cli", { client: "test" });
    const res = await t.request("/api/things", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: "{}",
    });
    assertEquals(res.status, 200);
    const bad = await t.request("/api/things", {
      method: "POST",
      headers: { Authorization: "Bearer aik_forged", Origin: ORIGIN },
    });
    assertEquals(bad.status, 401);
    assertEquals(t.effects.count, 1);
  } finally {
    await t.close();
  }
});

Deno.test("page forms (no header possible) need the exact Origin", async () => {
  const t = await createAuthTestApp();
  try {
    const { cookie } = await t.login();
    const post = (origin: string | null) =>
      t.request("/settings", {
        method: "POST",
        headers: {
          Cookie: cookie,
          "Content-Type": "application/x-www-form-urlencoded",
          ...(origin ? { Origin: origin } : {}),
        },
        body: "a=1",
      });
    assertEquals((await post("http://evil.example")).status, 403);
    assertEquals((await post(null)).status, 403);
    assertEquals((await post(ORIGIN)).status, 200);
    assertEquals(t.effects.count, 1);
  } finally {
    await t.close();
  }
});
