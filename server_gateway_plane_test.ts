/**
 * The instance plane with a real AiKore, real nginx and a real app (tests/fixtures/gateway):
 * what the app receives (never AiKore's cookie or token, its own Authorization intact), path
 * route modes, the not-serving and starting pages with their Start button, login redirects
 * and the return-URL check, host name refusals.
 */
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { startGatewayHarness } from "./tests/helpers/gateway_harness.ts";
import { rawGet } from "./lib/nginx/testdata/raw_http.ts";

interface Echo {
  name: string;
  path: string;
  headers: Record<string, string>;
}

Deno.test("apps never receive AiKore's cookie or token; their own Authorization passes and a session still counts", async () => {
  const h = await startGatewayHarness();
  try {
    const app = await h.started("plane");
    const session = h.authHeaders().cookie ?? "";
    const token = (await (await h.fetch("/api/auth/tokens", {
      method: "POST",
      body: JSON.stringify({ name: "ci" }),
    })).json()).token.token as string;
    assert(token.startsWith("aik_"), "an AiKore token");
    const port = `http://127.0.0.1:${app.port}`;
    const ask = async (url: string, headers: Record<string, string>) => {
      const response = await fetch(url, { headers });
      assertEquals(response.status, 200, `${url} with ${Object.keys(headers).join(",")}`);
      return await response.json() as Echo;
    };
    // Five copies (an app tossing cookies under nested paths makes browsers send several).
    const copies = [1, 2, 3, 4].map((i) => `aikore_session=decoy${i}`).join("; ");
    const cookie = `${copies}; app=1; ${session}; other=2`;
    for (const url of [`${port}/hdrs`, `${h.url}/instance/plane/hdrs`]) {
      const withCookie = await ask(url, { cookie, authorization: "Bearer app-own-token" });
      assertEquals(
        withCookie.headers.cookie,
        "app=1; other=2",
        "every aikore_session copy removed",
      );
      assertEquals(withCookie.headers.authorization, "Bearer app-own-token", "the app's own token");
      const withToken = await ask(url, { authorization: `Bearer ${token}`, cookie: "app=1" });
      assertEquals(withToken.headers.authorization, undefined, "the AiKore token is removed");
      assertEquals(withToken.headers.cookie, "app=1");
    }
    const many = Array.from({ length: 8 }, (_, i) => `aikore_session=d${i}`).join("; ");
    const flooded = await ask(`${port}/hdrs`, { cookie: `${many}; ${session}; app=1` });
    assert(!JSON.stringify(flooded.headers).includes("aikore_session"), "no copy past the passes");
    const strip = await ask(`${h.url}/instance/plane/hdrs?x=1`, { cookie: session });
    assertEquals(strip.path, "/hdrs?x=1", "strip mode: the app sees its own path");
    assertEquals(strip.headers["x-forwarded-prefix"], "/instance/plane");
    const api = await fetch(`${h.url}/api/instances`, {
      headers: { cookie: `aikore_session=tossed; ${session}`, authorization: "Bearer app-own" },
    });
    assertEquals(api.status, 200, "the dashboard API takes the valid copy behind a decoy");
    await api.body?.cancel();
    const wrongToken = await fetch(`${port}/hdrs`, {
      headers: { authorization: "Bearer aik_nope" },
    });
    assertEquals(wrongToken.status, 401);
    await wrongToken.body?.cancel();
  } finally {
    await h.close();
  }
});

Deno.test("a keep-mode blueprint's app sees /instance/<slug>/… on the path route", async () => {
  const h = await startGatewayHarness();
  try {
    await h.started("kept", "plane_keep.sh");
    const response = await fetch(`${h.url}/instance/kept/hdrs?q=2`, {
      headers: { cookie: h.authHeaders().cookie ?? "" },
    });
    assertEquals(response.status, 200);
    assertEquals((await response.json() as Echo).path, "/instance/kept/hdrs?q=2");
  } finally {
    await h.close();
  }
});

Deno.test("a stopped instance answers with AiKore's page; its Start button (POST + CSRF) starts it", async () => {
  const h = await startGatewayHarness();
  try {
    const app = await h.create("sleepy");
    const { cookie = "", origin: _origin } = h.authHeaders();
    const portUrl = `http://127.0.0.1:${app.port}`;
    for (const url of [`${portUrl}/some/page`, `${h.url}/instance/sleepy/some/page`]) {
      const page = await fetch(url, { headers: { cookie } });
      assertEquals(page.status, 503, url);
      assert(page.headers.get("content-security-policy")?.includes("default-src 'none'"));
      const html = await page.text();
      assert(html.includes("<h1>sleepy</h1>") && html.includes(">stopped<"), html);
      assert(html.includes('name="aikore_csrf"') && html.includes("Start sleepy"), html);
      assert(!html.includes("<script"), "no script");
    }
    const csrf = h.authHeaders()["x-csrf-token"] ?? "";
    const form = (token: string) =>
      new URLSearchParams({ aikore_action: "start", aikore_csrf: token });
    const post = (body: URLSearchParams, origin: string) =>
      fetch(`${portUrl}/some/page`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, origin, "content-type": "application/x-www-form-urlencoded" },
        body,
      });
    const forged = await post(form("wrong"), portUrl);
    assertEquals(forged.status, 503);
    assert((await forged.text()).includes("outdated"), "a wrong CSRF token is refused");
    const crossSite = await post(form(csrf), "http://evil.example");
    assertEquals(crossSite.status, 503);
    assert((await crossSite.text()).includes("another site"));
    assertEquals((await h.dto(app.id)).status, "stopped", "nothing was started");

    const started = await post(form(csrf), portUrl);
    assertEquals([started.status, started.headers.get("location")], [303, "/some/page"]);
    await started.body?.cancel();
    const seen = new Set<string>();
    const deadline = performance.now() + 20_000;
    let last = "";
    while (performance.now() < deadline) {
      const response = await fetch(`${portUrl}/`, { headers: { cookie } });
      last = await response.text();
      if (response.status === 200) break;
      if (last.includes('http-equiv="refresh"')) seen.add("starting page");
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals(last, "sleepy ok\n", "the same address lands on the app once healthy");
    assert(seen.has("starting page"), "the starting page followed the status meanwhile");
  } finally {
    await h.close();
  }
});

Deno.test("without a login a browser goes to the dashboard login and comes back; the return URL is checked", async () => {
  const h = await startGatewayHarness();
  try {
    const app = await h.create("guarded");
    const portUrl = `http://127.0.0.1:${app.port}/deep/path?x=1`;
    const bounced = await fetch(portUrl, { headers: { accept: "text/html" }, redirect: "manual" });
    assertEquals(bounced.status, 302);
    const login = new URL(bounced.headers.get("location") ?? "");
    assertEquals(login.origin, h.url);
    assertEquals(login.pathname, "/login");
    const next = login.searchParams.get("next") ?? "";
    assertEquals(next, `/_aikore/return?to=${encodeURIComponent(portUrl)}`);
    const api = await fetch(portUrl, { redirect: "manual" });
    assertEquals(api.status, 401, "a non-browser client gets 401");
    await api.body?.cancel();
    const back = await fetch(`${h.url}${next}`, { redirect: "manual" });
    assertEquals(back.status, 200);
    const escaped = portUrl.replaceAll("&", "&amp;");
    assert((await back.text()).includes(`content="0;url=${escaped}"`), "a page sends it on");
    for (
      const evil of [
        "http://evil.example:80/",
        `http://evil.example:${app.port}/`,
        `http://127.0.0.1:${new URL(h.url).port}/api/instances`,
        "javascript:alert(1)",
        `//127.0.0.1:${app.port}/`,
        `http://user@127.0.0.1:${app.port}/`,
      ]
    ) {
      const refused = await fetch(`${h.url}/_aikore/return?to=${encodeURIComponent(evil)}`, {
        redirect: "manual",
      });
      assertEquals([refused.status, refused.headers.get("location")], [303, "/"], evil);
    }
    const internal = await fetch(`${h.url}/_aikore/gateway/check`);
    assertEquals(internal.status, 404, "the check is not reachable from outside");
    await internal.body?.cancel();
    const pathRoute = await fetch(`${h.url}/instance/guarded/x`, {
      headers: { accept: "text/html" },
      redirect: "manual",
    });
    assertEquals(
      pathRoute.headers.get("location"),
      `/login?next=${encodeURIComponent("/instance/guarded/x")}`,
    );
    await pathRoute.body?.cancel();
    const strange = await rawGet(app.port, "/", "evil.example");
    assertEquals(strange.status, null, "an unknown Host on a pool port is dropped (444)");
    const known = await rawGet(app.port, "/", "localhost");
    assertEquals(known.status, 401, "a dashboard name is asked to log in");
  } finally {
    await h.close();
  }
});

Deno.test("custom host names that are loopback, IP literals, the dashboard's or taken are refused with 422", async () => {
  const h = await startGatewayHarness({ AIKORE_ALLOWED_HOSTS: "gpu.lan" });
  try {
    const first = await h.create("first", "plane_app.sh", {
      hostname: "comfy.lan",
      use_custom_hostname: true,
    });
    const cases: Array<[string, string]> = [
      ["localhost", "loopback"],
      ["app.localhost", "loopback"],
      ["127.0.0.1", "IP address"],
      ["10.0.0.5", "IP address"],
      ["gpu.lan", "dashboard"],
      ["comfy.lan", "first"],
    ];
    for (const [hostname, reason] of cases) {
      const created = await h.fetch("/api/instances", {
        method: "POST",
        body: JSON.stringify({
          name: `x${cases.indexOf([hostname, reason] as never)}`,
          base_blueprint: "plane_app.sh",
          hostname,
          use_custom_hostname: true,
        }),
      });
      const body = await created.json();
      assertEquals(created.status, 422, `${hostname}: ${JSON.stringify(body)}`);
      const detail = JSON.stringify(body.error);
      assert(detail.includes('"hostname"') && detail.includes(reason), `${hostname}: ${detail}`);
    }
    const other = await h.create("other");
    const renamed = await h.fetch(`/api/instances/${other.id}`, {
      method: "PUT",
      body: JSON.stringify({ hostname: "COMFY.lan".toLowerCase(), use_custom_hostname: true }),
    });
    assertEquals(renamed.status, 422, "update refuses another instance's name too");
    await renamed.body?.cancel();
    const own = await h.fetch(`/api/instances/${first.id}`, {
      method: "PUT",
      body: JSON.stringify({ hostname: "comfy.lan", use_custom_hostname: true }),
    });
    assertEquals(own.status, 200, "an instance keeps its own name");
    await own.body?.cancel();
  } finally {
    await h.close();
  }
});
