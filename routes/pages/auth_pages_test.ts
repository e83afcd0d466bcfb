import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import {
  type AuthTestApp,
  cookiePair,
  createAuthTestApp,
  TEST_PASSWORD,
} from "../../tests/helpers/auth_app.ts";
import { safeNext } from "./auth_pages.tsx";

const ORIGIN = "http://localhost";
const FORM = { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN };

function postForm(t: AuthTestApp, path: string, fields: Record<string, string>, extra = {}) {
  return t.request(path, {
    method: "POST",
    headers: { ...FORM, ...extra },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Every response of a test, to search for leaked secrets. */
async function recordAll(res: Response, seen: string[]): Promise<Response> {
  const text = await res.clone().text();
  seen.push([...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n") + "\n" + text);
  return res;
}

Deno.test("T02: setup token: format, wrong/missing refused, works once, never echoed", async () => {
  const t = await createAuthTestApp({ password: null });
  const seen: string[] = [];
  try {
    const token = t.auth.issueSetupToken();
    assert(token && /^[0-9a-f]{64}$/.test(token), "not 64 hex characters");
    const wrong = "0".repeat(64);
    // 1-2: wrong or missing token → 403, on the page and on the form post.
    for (const path of ["/setup", `/setup?token=${wrong}`, `/setup?token=${token.slice(0, 63)}`]) {
      assertEquals((await recordAll(await t.request(path), seen)).status, 403, path);
      const post = await postForm(t, path, { password: "some password", confirm: "some password" });
      assertEquals((await recordAll(post, seen)).status, 403, `POST ${path}`);
    }
    assertEquals(t.auth.passwordIsSet(), false);
    // The right token shows a form that posts back to the same URL without repeating the token.
    const page = await recordAll(await t.request(`/setup?token=${token}`), seen);
    assertEquals(page.status, 200);
    const html = await page.text();
    assertMatch(html, /<form method="post">/);
    // A typo does not use the token up.
    const mismatch = await postForm(t, `/setup?token=${token}`, {
      password: "the new password",
      confirm: "the new passw0rd",
    });
    assertEquals((await recordAll(mismatch, seen)).status, 422);
    const short = await postForm(t, `/setup?token=${token}`, {
      password: "short",
      confirm: "short",
    });
    assertEquals((await recordAll(short, seen)).status, 422);
    // 3: the right one works …
    const done = await recordAll(
      await postForm(t, `/setup?token=${token}`, {
        password: "the new password",
        confirm: "the new password",
      }),
      seen,
    );
    assertEquals(done.status, 303);
    assertEquals(done.headers.get("location"), "/");
    const cookie = cookiePair(done.headers.get("set-cookie"));
    const check = await t.request("/api/auth/check", { headers: { Cookie: cookie } });
    assertEquals(check.status, 204);
    // 4: … once.
    assertEquals((await recordAll(await t.request(`/setup?token=${token}`), seen)).status, 403);
    const reuse = await postForm(t, `/setup?token=${token}`, {
      password: "attacker password",
      confirm: "attacker password",
    });
    assertEquals((await recordAll(reuse, seen)).status, 403);
    assertEquals(t.auth.issueSetupToken(), null, "a token is issued although a password is set");
    // 6: never in a response, the audit log or the log.
    const everywhere = seen.join("\n") + JSON.stringify(t.audit.list({ limit: 100 })) +
      t.logs.join("\n");
    assert(!everywhere.includes(token), "the setup token leaked");
    assert(!everywhere.includes("the new password"), "the password leaked");
    assertEquals(t.audit.list({ limit: 100, action: "setup" }).length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("T02: the setup token expires after 30 minutes", async () => {
  const clock = { now: Date.now() };
  const t = await createAuthTestApp({ password: null, now: () => clock.now });
  try {
    const token = t.auth.issueSetupToken() ?? "";
    clock.now += 29 * 60_000;
    assertEquals((await t.request(`/setup?token=${token}`)).status, 200);
    clock.now += 60_001;
    assertEquals((await t.request(`/setup?token=${token}`)).status, 403);
    const late = await postForm(t, `/setup?token=${token}`, {
      password: "too late password",
      confirm: "too late password",
    });
    assertEquals(late.status, 403);
    assertEquals(t.auth.passwordIsSet(), false);
  } finally {
    await t.close();
  }
});

Deno.test("login page: form without script, wrong password 401, right one 303 to a safe next", async () => {
  const t = await createAuthTestApp();
  try {
    const page = await t.request("/login?next=%2F%2Fevil.example%2Fx");
    assertEquals(page.status, 200);
    const html = await page.text();
    assert(!/<script/i.test(html), "the login page carries a script");
    assertMatch(html, /name="next" value="\/"/);
    assertMatch(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assertEquals(page.headers.get("cache-control"), "no-store");
    const wrong = await postForm(t, "/login", { password: "nope nope", next: "/x" });
    assertEquals(wrong.status, 401);
    assertMatch(await wrong.text(), /Wrong password/);
    const right = await postForm(t, "/login", { password: TEST_PASSWORD, next: "/settings?a=1" });
    assertEquals(right.status, 303);
    assertEquals(right.headers.get("location"), "/settings?a=1");
    const cookie = cookiePair(right.headers.get("set-cookie"));
    const again = await t.request("/login?next=/here", { headers: { Cookie: cookie } });
    assertEquals([again.status, again.headers.get("location")], [303, "/here"]);
    const json = await t.request("/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: ORIGIN },
      body: JSON.stringify({ password: TEST_PASSWORD }),
    });
    assertEquals(json.status, 415);
    const crossSite = await postForm(t, "/login", { password: TEST_PASSWORD }, {
      Origin: "http://evil.example",
    });
    assertEquals(crossSite.status, 403, "login CSRF");
  } finally {
    await t.close();
  }
});

Deno.test("login form is rate limited like the API (429 + Retry-After)", async () => {
  const t = await createAuthTestApp();
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await postForm(t, "/login", { password: `wrong ${i} password` });
      statuses.push(res.status);
      if (res.status === 429) assert(Number(res.headers.get("retry-after")) > 0);
      await res.body?.cancel();
    }
    assertEquals(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
    assertEquals(t.verifications.count, 5);
  } finally {
    await t.close();
  }
});

Deno.test("logout form needs the session's CSRF field and ends the session", async () => {
  const t = await createAuthTestApp();
  try {
    const { cookie, csrfToken } = await t.login();
    const forged = await postForm(t, "/logout", { csrf: "0".repeat(64) }, { Cookie: cookie });
    assertEquals(forged.status, 403);
    const ok = await postForm(t, "/logout", { csrf: csrfToken }, { Cookie: cookie });
    assertEquals([ok.status, ok.headers.get("location")], [303, "/login"]);
    assertEquals((await t.request("/api/auth/check", { headers: { Cookie: cookie } })).status, 401);
  } finally {
    await t.close();
  }
});

Deno.test("fresh server and auth off: the login page explains instead of asking", async () => {
  const fresh = await createAuthTestApp({ password: null });
  try {
    const page = await fresh.request("/login");
    assertMatch(await page.text(), /setup link/);
  } finally {
    await fresh.close();
  }
  const off = await createAuthTestApp({ authEnabled: false, password: null });
  try {
    const page = await off.request("/login?next=/x");
    assertEquals([page.status, page.headers.get("location")], [303, "/x"]);
  } finally {
    await off.close();
  }
});

Deno.test("safeNext keeps same-site paths only", () => {
  for (const good of ["/", "/a/b?c=d#e", "/instances/comfy"]) assertEquals(safeNext(good), good);
  for (
    const bad of [
      null,
      "",
      "//evil.example",
      "/\\evil.example",
      "https://evil.example",
      "javascript:alert(1)",
      "/a b",
      "/a\nb",
      "x".repeat(3000),
    ]
  ) {
    assertEquals(safeNext(bad), "/", String(bad));
  }
});
