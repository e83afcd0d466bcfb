import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { chooseDesktop } from "./desktop_setup.ts";

Deno.test("without the programs on PATH, persistent mode is unavailable and the reason names the Debian packages", () => {
  const empty = Deno.makeTempDirSync({ prefix: "aikore-nopath-" });
  try {
    const setup = chooseDesktop("tigervnc", "/data", empty);
    assertEquals(setup.backend, null);
    assertEquals(
      [...setup.packages].filter((p) => p !== "novnc"),
      ["tigervnc-standalone-server", "websockify", "openbox"],
    );
    assert(setup.reason?.includes("install: tigervnc-standalone-server"), setup.reason ?? "");
  } finally {
    Deno.removeSync(empty);
  }
});

Deno.test("AIKORE_DESKTOP=off: unavailable, with the variable as the reason and nothing to install", () => {
  const setup = chooseDesktop("off", "/data", "/usr/bin:/bin");
  assertEquals([setup.backend, setup.packages], [null, []]);
  assert(setup.reason?.includes("AIKORE_DESKTOP=off"), setup.reason ?? "");
});

Deno.test("on this host (Debian packages installed) the TigerVNC backend is found", () => {
  const setup = chooseDesktop("auto", "/data", "/usr/local/bin:/usr/bin:/bin");
  assertEquals([setup.backend?.kind, setup.reason], ["tigervnc", null]);
});
