import { Hono } from "hono";
import { assertEquals } from "../../tests/helpers/assert.ts";
import type { AppEnv } from "../../lib/http/mod.ts";
import { assetPath, registerStaticAssets } from "./static_assets.ts";

Deno.test("asset paths refuse dot segments, hidden files, deep paths and unknown types", () => {
  for (const bad of ["../deno.json", "a/../x.css", ".hidden.css", "x.exe", "a/b/c/d/e.css", ""]) {
    assertEquals(assetPath("/root", bad), null, bad);
  }
  assertEquals(assetPath("/root", "fonts/x.woff2"), "/root/fonts/x.woff2");
});

Deno.test("static files revalidate; hashed bundles are cached for a year; manifest never", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-assets-" });
  try {
    await Deno.mkdir(`${root}/static`);
    await Deno.mkdir(`${root}/build`);
    await Deno.writeTextFile(`${root}/static/app.css`, "body{}");
    await Deno.writeTextFile(`${root}/build/client-ABCDEF123456.js`, "export{}");
    await Deno.writeTextFile(`${root}/build/manifest.json`, "{}");
    const app = new Hono<AppEnv>();
    registerStaticAssets(app, { static: `${root}/static`, build: `${root}/build` });

    const css = await app.request("/static/app.css");
    assertEquals([css.status, await css.text()], [200, "body{}"]);
    assertEquals(css.headers.get("content-type"), "text/css; charset=utf-8");
    assertEquals(css.headers.get("cache-control"), "no-cache");
    const etag = css.headers.get("etag") ?? "";
    const again = await app.request("/static/app.css", { headers: { "if-none-match": etag } });
    assertEquals(again.status, 304);

    const js = await app.request("/build/client-ABCDEF123456.js");
    assertEquals(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assertEquals([js.headers.get("content-encoding"), await js.text()], [null, "export{}"]);
    const gzipped = new Uint8Array(
      await new Response(
        new Blob(["export{}"]).stream().pipeThrough(new CompressionStream("gzip")),
      ).arrayBuffer(),
    );
    await Deno.writeFile(`${root}/build/client-ABCDEF123456.js.gz`, gzipped);
    const packed = await app.request("/build/client-ABCDEF123456.js", {
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    assertEquals(packed.headers.get("content-encoding"), "gzip");
    assertEquals(packed.headers.get("vary"), "Accept-Encoding");
    assertEquals(new Uint8Array(await packed.arrayBuffer()), gzipped);
    const manifest = await app.request("/build/manifest.json");
    assertEquals(manifest.headers.get("cache-control"), "no-store");
    await manifest.body?.cancel();

    for (
      const missing of [
        "/static/none.css",
        "/build/client-ABCDEF123456.js.gz",
        "/static/..%2fdeno.json",
        "/static/..%2f..%2fdeno.json",
      ]
    ) {
      const response = await app.request(missing);
      assertEquals(response.status, 404, missing);
      await response.body?.cancel();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
