import { assertEquals } from "../tests/helpers/assert.ts";
import { manifestFrom, staticImportsOf } from "./build_manifest.ts";

Deno.test("static imports are found in minified chunks; dynamic imports are not", () => {
  const code = 'import{a as b}from"./chunk-AAAA1111.js";import"./chunk-BBBB2222.js";' +
    'export{c}from"./chunk-CCCC3333.js";const x=()=>import("./lazy-DDDD4444.js");';
  assertEquals(staticImportsOf(code), [
    "chunk-AAAA1111.js",
    "chunk-BBBB2222.js",
    "chunk-CCCC3333.js",
  ]);
});

Deno.test("the manifest separates first-load chunks of each island from lazy ones", () => {
  const files = {
    "client-ABCDEF123456.js": 'import"./chunk-CORE0001.js";import("./Dashboard-DASH0001.js")',
    "chunk-CORE0001.js": "x".repeat(100),
    "Dashboard-DASH0001.js":
      'import"./chunk-CORE0001.js";import"./chunk-SIG00001.js";import("./xterm_session-XT000001.js")',
    "chunk-SIG00001.js": "y".repeat(50),
    "xterm_session-XT000001.js": "z".repeat(1000),
    "xterm-1234567890AB.css": ".xterm{}",
  };
  const manifest = manifestFrom({
    entry: "client-ABCDEF123456.js",
    xtermCss: "xterm-1234567890AB.css",
    files,
  });
  assertEquals(manifest.entry, "/build/client-ABCDEF123456.js");
  assertEquals(manifest.entryPreload, ["/build/chunk-CORE0001.js"]);
  assertEquals(manifest.islands, {
    Dashboard: ["/build/Dashboard-DASH0001.js", "/build/chunk-SIG00001.js"],
  });
  const entryBytes = files["client-ABCDEF123456.js"].length + 100;
  assertEquals(
    manifest.firstLoadBytes.Dashboard,
    entryBytes + files["Dashboard-DASH0001.js"].length + 50,
  );
  assertEquals(manifest.lazyBytes, 1000);
});
