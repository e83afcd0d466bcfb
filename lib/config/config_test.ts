import { assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { ConfigError, loadConfig } from "./config.ts";

const options = { cwd: "/srv/aikore", stockBlueprintsDir: "/opt/aikore/blueprints" };

Deno.test("the defaults resolve to the documented values", () => {
  const config = loadConfig({}, options);
  assertEquals(config.dataDir, "/srv/aikore/data");
  assertEquals(config.listen, { hostname: "127.0.0.1", port: 9000 });
  assertEquals(config.portRange, { start: 19001, end: 19020 });
  assertEquals(config.authEnabled, true);
  assertEquals(config.nginxMode, "auto");
  assertEquals(config.stopGraceMs, 10_000);
  assertEquals(config.stockBlueprintsDir, "/opt/aikore/blueprints");
  assertEquals(config.onShutdown, "leave");
  assertEquals(config.holderBinary, undefined);
  assertEquals(config.desktop, "auto");
});

Deno.test("every variable is parsed", () => {
  const config = loadConfig({
    AIKORE_DATA_DIR: "../config",
    AIKORE_LISTEN: "0.0.0.0:8080",
    AIKORE_INSTANCE_PORT_RANGE: "20000-20010",
    AIKORE_ALLOWED_HOSTS: "GPU.lan, 10.0.0.5:9000",
    AIKORE_PASSWORD: "long enough",
    AIKORE_AUTH: "off",
    AIKORE_NGINX: "managed",
    AIKORE_LOG: "debug",
    AIKORE_TERMINAL_LIMIT: "4",
    AIKORE_STOP_GRACE: "3",
    AIKORE_ON_SHUTDOWN: "Stop",
    AIKORE_HOLDER_BIN: "bin/aikore_holder",
    AIKORE_DESKTOP: "TigerVNC",
  }, options);
  assertEquals(config.desktop, "tigervnc");
  assertEquals(config.onShutdown, "stop");
  assertEquals(config.holderBinary, "/srv/aikore/bin/aikore_holder");
  assertEquals(loadConfig({ AIKORE_HOLDER_BIN: "off" }, options).holderBinary, "off");
  assertEquals(config.dataDir, "/srv/config");
  assertEquals(config.listen, { hostname: "0.0.0.0", port: 8080 });
  assertEquals(config.allowedHosts, ["gpu.lan", "10.0.0.5:9000"]);
  assertEquals([config.authEnabled, config.nginxMode, config.logLevel], [
    false,
    "managed",
    "debug",
  ]);
  assertEquals([config.terminalLimit, config.stopGraceMs], [4, 3000]);
});

Deno.test("a bad value names its variable", () => {
  const cases: Array<[string, string]> = [
    ["AIKORE_LISTEN", "localhost"],
    ["AIKORE_LISTEN", "127.0.0.1:70000"],
    ["AIKORE_INSTANCE_PORT_RANGE", "19020-19001"],
    ["AIKORE_INSTANCE_PORT_RANGE", "80-90"],
    ["AIKORE_ALLOWED_HOSTS", "a b"],
    ["AIKORE_PASSWORD", "short"],
    ["AIKORE_AUTH", "maybe"],
    ["AIKORE_NGINX", "sometimes"],
    ["AIKORE_LOG", "loud"],
    ["AIKORE_TERMINAL_LIMIT", "0"],
    ["AIKORE_STOP_GRACE", "-1"],
    ["AIKORE_ON_SHUTDOWN", "kill"],
    ["AIKORE_DESKTOP", "x11"],
  ];
  for (const [variable, value] of cases) {
    assertThrows(() => loadConfig({ [variable]: value }, options), new RegExp(`^${variable}: `));
    try {
      loadConfig({ [variable]: value }, options);
    } catch (error) {
      assertEquals(error instanceof ConfigError && error.variable, variable);
    }
  }
});
