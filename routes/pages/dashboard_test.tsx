import type { Hono } from "hono";
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { type Harness, startHarness } from "../../tests/helpers/harness.ts";
import type { AppEnv } from "../../lib/http/mod.ts";
import { dashboardApp } from "../../tests/helpers/dashboard_app.ts";
import type { BuildManifest } from "./island_assets.ts";

const MANIFEST: BuildManifest = {
  entry: "/build/client-ABCDEF123456.js",
  xtermCss: "/build/xterm-ABCDEF123456.css",
  islands: { Dashboard: ["/build/Dashboard-AAAA1111.js"], Settings: ["/build/Settings-B.js"] },
  entryPreload: ["/build/chunk-CCCC2222.js"],
  firstLoadBytes: {},
  lazyBytes: 0,
  files: {},
};

function pages(h: Harness, manifest: BuildManifest | null): Hono<AppEnv> {
  return dashboardApp(h, { version: "9.9.9", manifest });
}

function islandProps(html: string, name: string): Record<string, unknown> {
  const pattern = new RegExp(
    `<script type="application/json" data-island-props="${name}">(.*?)</script>`,
    "s",
  );
  const match = pattern.exec(html);
  assert(match, `no props for ${name}`);
  return JSON.parse(match[1] ?? "");
}

Deno.test("the dashboard is server-rendered with its instances and CSP-safe markup", async () => {
  const h = await startHarness();
  try {
    const hostile = "</script><img src=x onerror=alert(1)>";
    for (const [name, slug] of [["alpha", "alpha"], [hostile, "hostile"]]) {
      const created = await h.json("POST", "/api/instances", {
        name,
        slug,
        base_blueprint: "log_ready.sh",
      });
      assertEquals(created.status, 201);
    }
    const response = await pages(h, MANIFEST).request("/", { headers: { host: "127.0.0.1" } });
    assertEquals(response.status, 200);
    assertEquals(response.headers.get("cache-control"), "no-store");
    const html = await response.text();
    assert(html.startsWith("<!DOCTYPE html>"));
    assert(html.includes('<div data-island="Dashboard" class="island">'));
    assert(html.includes('<script type="module" src="/build/client-ABCDEF123456.js">'));
    assert(html.includes('<link rel="modulepreload" href="/build/Dashboard-AAAA1111.js"/>'));
    assert(html.includes('<link rel="stylesheet" href="/build/xterm-ABCDEF123456.css"/>'));
    // CSP: every script is external or inert data; no inline style attribute anywhere.
    for (const tag of html.match(/<script[^>]*>/g) ?? []) {
      assert(/ src="\/build\/|type="application\/json"/.test(tag), tag);
    }
    assert(!/\sstyle="/.test(html), "inline style attribute");
    assert(!html.includes("<img src=x"), "a name became markup");
    assert(html.includes('data-slug="alpha"') && html.includes('data-slug="hostile"'));
    const props = islandProps(html, "Dashboard") as {
      instances: Array<{ name: string }>;
      csrfToken: string;
      blueprints: { stock: Array<{ filename: string }> };
    };
    assertEquals(props.instances.map((i) => i.name), ["alpha", hostile]);
    assertEquals(props.csrfToken, "csrf-123");
    assert(props.blueprints.stock.some((b) => b.filename === "log_ready.sh"));
  } finally {
    await h.close();
  }
});

Deno.test("the settings page renders its island; no bundle answers 503 with the fix", async () => {
  const h = await startHarness();
  try {
    const settings = await pages(h, MANIFEST).request("/settings");
    const html = await settings.text();
    assertEquals(settings.status, 200);
    assertEquals(islandProps(html, "Settings"), {
      csrfToken: "csrf-123",
      authEnabled: true,
      version: "9.9.9",
    });
    const unbuilt = await pages(h, null).request("/");
    assertEquals(unbuilt.status, 503);
    assert((await unbuilt.text()).includes("deno task build"));
  } finally {
    await h.close();
  }
});
