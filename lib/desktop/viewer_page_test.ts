/** The web client's landing page and URL under a gateway path prefix; the X cookie file. */
import { assertEquals, assertMatch, assertThrows } from "../../tests/helpers/assert.ts";
import { landingHtml, normalizePrefix, viewerPath, viewerQuery } from "./viewer_page.ts";
import { xauthorityBytes } from "./xauthority.ts";
import { tempDirs } from "./test_support.ts";

Deno.test("the viewer connects to <prefix>websockify on its own origin and resizes the remote desktop", () => {
  const root = new URLSearchParams(viewerQuery("/"));
  assertEquals([
    root.get("path"),
    root.get("resize"),
    root.get("autoconnect"),
    root.get("reconnect"),
  ], ["websockify", "remote", "1", "1"]);
  assertEquals(
    new URLSearchParams(viewerQuery("/instance/lm-studio")).get("path"),
    "instance/lm-studio/websockify",
  );
  assertMatch(
    viewerPath("/instance/lm-studio/"),
    /^\/instance\/lm-studio\/vnc\.html\?autoconnect=1&/,
  );
});

Deno.test("a path prefix outside /segment/…/ is refused", () => {
  assertEquals(normalizePrefix("/a/b"), "/a/b/");
  assertEquals(normalizePrefix(""), "/");
  for (const bad of ["a/", "/../x/", "/a//b/", "/a b/", '/"/', "/a/?x/"]) {
    assertThrows(() => normalizePrefix(bad), /pathPrefix/);
  }
});

Deno.test("the landing page forwards to the viewer without any script", () => {
  const html = landingHtml("/instance/x/");
  assertEquals(html.includes("<script"), false);
  assertMatch(
    html,
    /<meta http-equiv="refresh" content="0; url=vnc\.html\?autoconnect=1&amp;resize=remote&amp;.*path=instance%2Fx%2Fwebsockify">/,
  );
});

Deno.test("the Xauthority file holds one wild-address cookie for the display, as xauth reads it", async () => {
  const { root } = await tempDirs();
  const cookie = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
  await Deno.writeFile(`${root}/Xauthority`, xauthorityBytes(347, cookie));
  const output = await new Deno.Command("xauth", {
    args: ["-f", `${root}/Xauthority`, "list"],
    stdout: "piped",
  }).output();
  const hex = [...cookie].map((b) => b.toString(16).padStart(2, "0")).join("");
  assertEquals(new TextDecoder().decode(output.stdout).trim().split(/\s+/).slice(-2), [
    "MIT-MAGIC-COOKIE-1",
    hex,
  ]);
  assertMatch(new TextDecoder().decode(output.stdout), /^#ffff#.*:347 /);
  await Deno.remove(root, { recursive: true });
});
