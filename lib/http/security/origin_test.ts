import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { canonicalOrigin, exactOrigin, originAllowed } from "./origin.ts";

const DASHBOARD = ["http://aikore.lan:9000", "https://gpu.example.com/"];

Deno.test("only the exact dashboard origins are allowed", () => {
  assert(originAllowed("http://aikore.lan:9000", DASHBOARD));
  assert(originAllowed("https://gpu.example.com", DASHBOARD));
});

Deno.test("prefix, suffix, port, scheme and null variants are refused (CVE-2026-40110 list)", () => {
  for (
    const origin of [
      null,
      undefined,
      "",
      "null",
      "http://evil.example",
      "http://aikore.lan:9000.evil.com",
      "http://aikore.lan.evil.com:9000",
      "https://gpu.example.com.evil.com",
      "https://evilgpu.example.com",
      "http://aikore.lan:9001",
      "http://aikore.lan",
      "https://aikore.lan:9000",
      "http://gpu.example.com",
      "https://gpu.example.com:443",
      "https://gpu.example.com/",
      "https://gpu.example.com/path",
      "http://user@aikore.lan:9000",
      "HTTP://AIKORE.LAN:9000",
      "ws://aikore.lan:9000",
      "file://",
      "http://aikore.lan:9000 ",
    ]
  ) {
    assert(!originAllowed(origin, DASHBOARD), `${origin} allowed`);
  }
});

Deno.test("origin parsing", () => {
  assertEquals(exactOrigin("http://[::1]:9000"), "http://[::1]:9000");
  assertEquals(exactOrigin("http://localhost:80"), null, "a browser never sends the default port");
  assertEquals(canonicalOrigin("https://gpu.example.com:443/"), "https://gpu.example.com");
  assertEquals(canonicalOrigin("https://gpu.example.com/x"), null);
  assertEquals(canonicalOrigin("javascript:alert(1)"), null);
});
