import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import {
  type AuthTestApp,
  cookiePair,
  createAuthTestApp,
  TEST_PASSWORD,
} from "../../tests/helpers/auth_app.ts";
import { GATEWAY_SECRET_HEADER, gatewaySecret, parsePasswordHash } from "../../lib/auth/mod.ts";
import { SettingsRepository } from "../../lib/db/mod.ts";
import { DatabaseSync } from "node:sqlite";

const ORIGIN = "http://localhost";
const JSON_HEADERS = { "Content-Type": "application/json", Origin: ORIGIN };
/** What AiKore's nginx adds to every proxied request (the per-start secret). */
const NGINX = { [GATEWAY_SECRET_HEADER]: gatewaySecret() };

function loginRequest(t: AuthTestApp, password: string, peer: string, extra = {}) {
  return t.request("/api/auth/login", {
    method: "POST",
    headers: { ...JSON_HEADERS, ...extra },
    body: JSON.stringify({ password }),
  }, peer);
}

function withSession(login: { cookie: string; csrfToken: string }, extra = {}) {
  return { ...JSON_HEADERS, Cookie: login.cookie, "X-CSRF-Token": login.csrfToken, ...extra };
}

async function fileContains(path: string, needle: string): Promise<boolean> {
  try {
    const bytes = await Deno.readFile(path);
    return new TextDecoder("latin1").decode(bytes).includes(needle);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

Deno.test("T03: hash parameters, password absent from DB and logs, DB file 0600", async () => {
  const t = await createAuthTestApp({ hashCost: "owasp" });
  try {
    await t.login();
    await loginRequest(t, "a wrong password here", "192.0.2.50");
    const db = new DatabaseSync(t.dbPath);
    const stored = new SettingsRepository(db).get("auth.password_hash") ?? "";
    db.close();
    const parsed = parsePasswordHash(stored);
    assert(parsed, `not an scrypt hash: ${stored.slice(0, 20)}`);
    assert(parsed.params.N >= 2 ** 17 && parsed.params.r >= 8 && parsed.params.p >= 1);
    for (const suffix of ["", "-wal", "-shm"]) {
      assert(!(await fileContains(t.dbPath + suffix, TEST_PASSWORD)), `password in db${suffix}`);
      assert(!(await fileContains(t.dbPath + suffix, "a wrong password here")));
    }
    assert(!t.logs.join("\n").includes(TEST_PASSWORD));
    assert(!t.logs.join("\n").includes("a wrong password here"));
    assertEquals((await Deno.stat(t.dbPath)).mode?.toString(8).slice(-3), "600");
  } finally {
    await t.close();
  }
});

Deno.test("T03: cookie attributes; Secure only for HTTPS through the loopback gateway", async () => {
  const t = await createAuthTestApp();
  try {
    const direct = await loginRequest(t, TEST_PASSWORD, "192.0.2.20", {
      "X-Forwarded-Proto": "https",
    });
    const attributes = (direct.headers.get("set-cookie") ?? "").split("; ");
    assert(attributes[0]?.startsWith("aikore_session="));
    for (const a of ["HttpOnly", "SameSite=Strict", "Path=/"]) assert(attributes.includes(a), a);
    assert(!attributes.some((a) => /^domain=/i.test(a)));
    assert(!attributes.includes("Secure"), "X-Forwarded-Proto trusted from a LAN peer");
    const body = await direct.json();
    assertEquals(Object.keys(body).sort(), ["authenticated", "csrfToken"]);
    assert(!JSON.stringify(body).includes(cookiePair(direct.headers.get("set-cookie")).slice(15)));
    // Over HTTPS the browser's Origin is https://…; the CSRF guard compares against that.
    const viaGateway = await loginRequest(t, TEST_PASSWORD, "127.0.0.1", {
      ...NGINX,
      "X-Forwarded-Proto": "https",
      "X-Real-IP": "192.0.2.21",
      Origin: "https://localhost",
    });
    assertEquals(viaGateway.status, 200);
    assert((viaGateway.headers.get("set-cookie") ?? "").split("; ").includes("Secure"));
  } finally {
    await t.close();
  }
});

Deno.test("T03: the id rotates at login and logout kills the old cookie", async () => {
  const t = await createAuthTestApp();
  try {
    const first = await t.login();
    const second = await loginRequest(t, TEST_PASSWORD, "192.0.2.10", { Cookie: first.cookie });
    const secondCookie = cookiePair(second.headers.get("set-cookie"));
    assert(secondCookie !== first.cookie && secondCookie.length > 20);
    const check = (cookie: string) =>
      t.request("/api/auth/check", { headers: { Cookie: cookie } }).then((r) => r.status);
    assertEquals(await check(first.cookie), 401, "pre-login id survived the login");
    assertEquals(await check(secondCookie), 204);
    const secondCsrf = (await second.json()).csrfToken;
    const logout = await t.request("/api/auth/logout", {
      method: "POST",
      headers: withSession({ cookie: secondCookie, csrfToken: secondCsrf }),
    });
    assertEquals(logout.status, 204);
    assert((logout.headers.get("set-cookie") ?? "").includes("Max-Age=0"));
    assertEquals(await check(secondCookie), 401);
    const actions = t.audit.list({ limit: 10 }).map((e) => e.action);
    assertEquals(actions.slice(0, 3), ["logout", "login", "login"]);
  } finally {
    await t.close();
  }
});

Deno.test("T04: 100 wrong passwords from one address: ≤ 5 hash checks, ≥ 95 answers 429", async () => {
  const t = await createAuthTestApp({ hashCost: "owasp" });
  try {
    const gateway = "127.0.0.1";
    let limited = 0;
    for (let i = 0; i < 100; i++) {
      const res = await loginRequest(t, `wrong password ${i}`, gateway, {
        ...NGINX,
        "X-Real-IP": "198.51.100.1",
      });
      if (res.status === 429) {
        limited++;
        const retry = Number(res.headers.get("retry-after"));
        assert(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
      } else assertEquals(res.status, 401);
      await res.body?.cancel();
    }
    assert(t.verifications.count <= 5, `${t.verifications.count} verifications`);
    assert(limited >= 95, `${limited} answers of 429`);
    const other = await loginRequest(t, TEST_PASSWORD, gateway, {
      ...NGINX,
      "X-Real-IP": "198.51.100.2",
    });
    assertEquals(other.status, 200, "another address cannot log in");
  } finally {
    await t.close();
  }
});

Deno.test("T04: forged forwarding headers from a direct peer change nothing; 0 of 10,000 succeed", async () => {
  const t = await createAuthTestApp();
  try {
    let successes = 0;
    for (let i = 0; i < 10_000; i++) {
      const res = await loginRequest(
        t,
        i === 9_999 ? TEST_PASSWORD : `guess ${i}`,
        "203.0.113.66",
        {
          "X-Real-IP": `10.0.${i >> 8 & 255}.${i & 255}`,
          "X-Forwarded-For": `10.1.${i >> 8 & 255}.${i & 255}`,
        },
      );
      if (res.status === 200) successes++;
      await res.body?.cancel();
    }
    assertEquals(successes, 0);
    assert(t.verifications.count <= 5, `${t.verifications.count} verifications`);
    const failed = t.audit.list({ limit: 100, action: "login_failed" });
    assertEquals(failed.length, 1, "one counted row for the one address");
    assertEquals(failed[0]?.detail?.count, t.verifications.count);
  } finally {
    await t.close();
  }
});

Deno.test("API tokens: created once by a session, used as Bearer, cannot mint more, revoked", async () => {
  const t = await createAuthTestApp();
  try {
    const login = await t.login();
    const created = await t.request("/api/auth/tokens", {
      method: "POST",
      headers: withSession(login),
      body: JSON.stringify({ name: "ci" }),
    });
    assertEquals(created.status, 201);
    const { token } = (await created.json()).token;
    const bearer = { Authorization: `Bearer ${token}` };
    assertEquals((await t.request("/api/auth/check", { headers: bearer })).status, 204);
    const listed = await (await t.request("/api/auth/tokens", { headers: bearer })).json();
    assertEquals(listed.tokens.length, 1);
    assert(!JSON.stringify(listed).includes(token), "token value listed");
    const mint = await t.request("/api/auth/tokens", {
      method: "POST",
      headers: { ...bearer, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "more" }),
    });
    assertEquals(mint.status, 403);
    const badName = await t.request("/api/auth/tokens", {
      method: "POST",
      headers: withSession(login),
      body: JSON.stringify({ name: "../x" }),
    });
    assertEquals(badName.status, 422);
    const id = listed.tokens[0].id;
    const revoked = await t.request(`/api/auth/tokens/${id}`, {
      method: "DELETE",
      headers: withSession(login),
    });
    assertEquals(revoked.status, 204);
    assertEquals((await t.request("/api/auth/check", { headers: bearer })).status, 401);
    const again = await t.request(`/api/auth/tokens/${id}`, {
      method: "DELETE",
      headers: withSession(login),
    });
    assertEquals(again.status, 404);
    const audit = await (await t.request("/api/audit?action=token_created", {
      headers: { Cookie: login.cookie },
    })).json();
    assertEquals(audit.entries.length, 1);
    assert(!JSON.stringify(t.audit.list({ limit: 100 })).includes(token));
  } finally {
    await t.close();
  }
});

Deno.test("the gateway check answers 204/401 with no body; session returns the CSRF token", async () => {
  const t = await createAuthTestApp();
  try {
    const login = await t.login();
    const ok = await t.request("/api/auth/check", { headers: { Cookie: login.cookie } });
    assertEquals([ok.status, await ok.text()], [204, ""]);
    const no = await t.request("/api/auth/check");
    assertEquals([no.status, await no.text()], [401, ""]);
    const session = await t.request("/api/auth/session", { headers: { Cookie: login.cookie } });
    assertEquals((await session.json()).csrfToken, login.csrfToken);
    assertEquals((await t.request("/api/auth/session")).status, 401);
  } finally {
    await t.close();
  }
});

Deno.test("password change via the API: current password required, other sessions end", async () => {
  const t = await createAuthTestApp();
  try {
    const a = await t.login();
    const b = await t.login(undefined, "192.0.2.77");
    const change = (current: string, next: string) =>
      t.request("/api/auth/password", {
        method: "PUT",
        headers: withSession(a),
        body: JSON.stringify({ current, new: next }),
      });
    assertEquals((await change("not it at all", "another long one")).status, 401);
    assertEquals((await change(TEST_PASSWORD, "short")).status, 422);
    const ok = await change(TEST_PASSWORD, "another long one");
    assertEquals(ok.status, 200);
    const renewed = cookiePair(ok.headers.get("set-cookie"));
    const check = (cookie: string) =>
      t.request("/api/auth/check", { headers: { Cookie: cookie } }).then((r) => r.status);
    assertEquals([await check(a.cookie), await check(b.cookie), await check(renewed)], [
      401,
      401,
      204,
    ]);
    assertEquals(t.audit.list({ limit: 1 })[0]?.action, "password_changed");
  } finally {
    await t.close();
  }
});

Deno.test("errors: no password yet → 409; oversized body → 413; bad audit query → 422", async () => {
  const fresh = await createAuthTestApp({ password: null });
  try {
    assertEquals((await loginRequest(fresh, "whatever password", "192.0.2.1")).status, 409);
  } finally {
    await fresh.close();
  }
  const t = await createAuthTestApp();
  try {
    const login = await t.login();
    const big = await t.request("/api/things", {
      method: "POST",
      headers: withSession(login),
      body: JSON.stringify({ blob: "x".repeat(3 * 1024 * 1024) }),
    });
    assertEquals(big.status, 413);
    assertEquals(t.effects.count, 0);
    for (const query of ["limit=0", "limit=501", "before=-1", "action=DROP%20TABLE"]) {
      const res = await t.request(`/api/audit?${query}`, { headers: { Cookie: login.cookie } });
      assertEquals(res.status, 422, query);
    }
    const page =
      await (await t.request("/api/audit?limit=1", { headers: { Cookie: login.cookie } }))
        .json();
    assertEquals(page.entries.length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("T04: an attacker rotating 50 addresses through nginx cannot stop the right password", async () => {
  const t = await createAuthTestApp();
  try {
    const attack: Promise<number>[] = [];
    for (let round = 0; round < 10; round++) {
      for (let a = 0; a < 50; a++) {
        attack.push(
          loginRequest(t, `guess ${round}-${a}`, "127.0.0.1", {
            ...NGINX,
            "X-Real-IP": `198.51.100.${a + 1}`,
          }).then(async (res) => {
            await res.body?.cancel();
            return res.status;
          }),
        );
      }
    }
    const operator = loginRequest(t, TEST_PASSWORD, "127.0.0.1", {
      ...NGINX,
      "X-Real-IP": "192.0.2.99",
    });
    const statuses = await Promise.all(attack);
    assertEquals((await operator).status, 200, "the operator's fresh address logs in");
    assertEquals(statuses.filter((s) => s === 401).length, 250, "five checks per address");
    assertEquals(statuses.filter((s) => s === 429).length, 250);
    assert(t.verifications.count <= 251, `${t.verifications.count} verifications`);
    const after = await loginRequest(t, TEST_PASSWORD, "127.0.0.1", {
      ...NGINX,
      "X-Real-IP": "192.0.2.100",
    });
    assertEquals(after.status, 200, "and still can after the attack filled every window");
  } finally {
    await t.close();
  }
});

Deno.test("T04: X-Real-IP from a local process straight to the backend is ignored", async () => {
  const t = await createAuthTestApp();
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await loginRequest(t, `guess ${i}`, "127.0.0.1", {
        "X-Real-IP": `203.0.113.${i}`,
        [GATEWAY_SECRET_HEADER]: i % 2 ? "not-the-secret" : "",
      });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    assertEquals(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    const rows = t.audit.list({ limit: 10, action: "login_failed" });
    assertEquals(rows.map((r) => r.client), ["127.0.0.1"], "counted under the real peer");
  } finally {
    await t.close();
  }
});

Deno.test("T04: successful logins do not use up attempts", async () => {
  const t = await createAuthTestApp();
  try {
    for (let i = 0; i < 12; i++) {
      const res = await loginRequest(t, TEST_PASSWORD, "192.0.2.50");
      assertEquals(res.status, 200, `login ${i + 1}`);
      await res.body?.cancel();
    }
  } finally {
    await t.close();
  }
});
