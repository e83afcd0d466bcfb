/**
 * The whole chain with a real managed nginx: a running instance is published on its pool port
 * and under /instance/<slug>/, only for logged-in users; an instance page cannot drive the
 * dashboard API (T08, in Chromium); stopping unpublishes.
 */
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./tests/helpers/browser.ts";
import { assert, assertEquals } from "./tests/helpers/assert.ts";
import { startServerHarness } from "./tests/helpers/server_harness.ts";

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await probe();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("a started instance is published through nginx behind the login; once stopped it shows a page", async () => {
  const h = await startServerHarness({ AIKORE_NGINX: "managed" });
  try {
    assert(h.server.gateway.enabled, "nginx is managed");
    const created = await (await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: "web", base_blueprint: "http_app.sh" }),
    })).json();
    assertEquals(
      (await h.fetch(`/api/instances/${created.id}/start`, { method: "POST" })).status,
      200,
    );
    const published = await waitFor("published", async () => {
      const dto = await (await h.fetch(`/api/instances/${created.id}`)).json();
      return dto.status === "started" && dto.published.ok ? dto : null;
    });
    assertEquals(published.urls.path, "/instance/web/");
    assert(published.urls.port.endsWith(`:${created.port}/`), published.urls.port);
    const cookie = h.authHeaders().cookie ?? "";

    const viaPort = await fetch(published.urls.port, { headers: { cookie } });
    assertEquals([viaPort.status, await viaPort.text()], [200, "ok\n"]);
    const viaPath = await fetch(`${h.url}/instance/web/`, { headers: { cookie } });
    assertEquals([viaPath.status, await viaPath.text()], [200, "ok\n"]);

    const anonymousPort = await fetch(published.urls.port);
    assertEquals(anonymousPort.status, 401);
    await anonymousPort.body?.cancel();
    const anonymousPath = await fetch(`${h.url}/instance/web/`, {
      headers: { accept: "text/html" },
      redirect: "manual",
    });
    assert(
      [302, 303, 401].includes(anonymousPath.status),
      `path route answered ${anonymousPath.status}`,
    );
    await anonymousPath.body?.cancel();

    assertEquals(
      (await h.fetch(`/api/instances/${created.id}/stop`, { method: "POST" })).status,
      200,
    );
    await waitFor("the not-serving page", async () => {
      const response = await fetch(published.urls.port, { headers: { cookie } });
      const html = await response.text();
      return response.status === 503 && html.includes(">stopped<") ? true : null;
    });
  } finally {
    await h.close();
  }
});

Deno.test("T08: a page served from an instance port cannot drive the dashboard API in Chromium", async () => {
  const h = await startServerHarness({ AIKORE_NGINX: "managed" });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  try {
    const created = await (await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: "evil", base_blueprint: "http_app.sh" }),
    })).json();
    await h.fetch(`/api/instances/${created.id}/start`, { method: "POST" });
    const dto = await waitFor("published", async () => {
      const current = await (await h.fetch(`/api/instances/${created.id}`)).json();
      return current.status === "started" && current.published.ok ? current : null;
    });
    const context = await browser.newContext();
    const [name, value] = (h.authHeaders().cookie ?? "").split("=");
    await context.addCookies([{
      name: name ?? "",
      value: value ?? "",
      url: h.url,
      sameSite: "Strict",
      httpOnly: true,
    }]);
    const page = await context.newPage();
    const landed = await page.goto(dto.urls.port);
    assertEquals(landed?.status(), 200, "the logged-in browser reaches the app on its own origin");
    const attempts = await page.evaluate(async (api: string) => {
      const results: string[] = [];
      const bodies: Array<[string, string]> = [["text/plain", "{}"], ["application/json", "{}"]];
      for (const [type, body] of bodies) {
        try {
          const response = await fetch(`${api}/stop`, {
            method: "POST",
            credentials: "include",
            headers: { "content-type": type },
            body,
          });
          results.push(`${type}:${response.status}`);
        } catch {
          results.push(`${type}:blocked`);
        }
      }
      return results;
    }, `${h.url}/api/instances/${created.id}`);
    assertEquals(attempts.length, 2);
    const still = await (await h.fetch(`/api/instances/${created.id}`)).json();
    assertEquals(still.status, "started", `the instance kept running (${attempts.join(", ")})`);
    const refusals = h.server.services.audit.list({ limit: 50, action: "instance.stop" });
    assertEquals(refusals.length, 0, "no stop was performed");
    await context.close();
  } finally {
    await browser.close();
    await h.close();
  }
});

Deno.test("when nginx cannot start, AiKore serves the dashboard itself and instances say why", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-broken-nginx-" });
  const fake = `${dir}/nginx`;
  // Looks like a capable nginx (-V) but cannot run a master.
  await Deno.writeTextFile(
    fake,
    `#!/bin/sh\nif [ "$1" = "-V" ]; then echo "configure arguments: --with-http_auth_request_module" >&2; exit 0; fi\necho "nginx: [emerg] broken on purpose" >&2\nexit 1\n`,
  );
  await Deno.chmod(fake, 0o755);
  const h = await startServerHarness({ AIKORE_NGINX: "managed", AIKORE_NGINX_BIN: fake });
  try {
    assertEquals(h.server.gateway.enabled, false);
    const health = await fetch(`${h.url}/healthz`);
    assertEquals(await health.text(), "ok", "the dashboard address answers");
    const created = await (await h.fetch("/api/instances", {
      method: "POST",
      body: JSON.stringify({ name: "web", base_blueprint: "http_app.sh" }),
    })).json();
    await h.fetch(`/api/instances/${created.id}/start`, { method: "POST" });
    const dto = await waitFor("started", async () => {
      const current = await (await h.fetch(`/api/instances/${created.id}`)).json();
      return current.status === "started" ? current : null;
    });
    assertEquals(dto.published.ok, false);
    assert(dto.published.reason.includes("the gateway failed"), dto.published.reason);
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});
