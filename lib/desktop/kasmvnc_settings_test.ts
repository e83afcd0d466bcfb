/** KasmVNC's settings as data: the YAML text (golden file) and the Xvnc argv agree and stay on loopback. */
import { assertEquals, assertThrows } from "../../tests/helpers/assert.ts";
import { kasmvncArgs, kasmvncSettings, renderKasmvncYaml } from "./kasmvnc_settings.ts";
import { tigervncArgs } from "./xvnc_args.ts";
import { yamlText } from "./yaml_text.ts";

const OPTIONS = {
  display: 12,
  vncPort: 41001,
  width: 1280,
  height: 800,
  authFile: "/data/instances/lm/desktop/Xauthority",
};
const settings = kasmvncSettings({ ...OPTIONS, webPort: 41002, webDir: "/usr/share/kasmvnc/www" });
const GOLDEN = new URL("../../tests/fixtures/desktop/kasmvnc.yaml", import.meta.url);

Deno.test("kasmvnc.yaml of a desktop matches the reviewed golden file", async () => {
  assertEquals(renderKasmvncYaml(settings), await Deno.readTextFile(GOLDEN));
});

Deno.test("KasmVNC settings pin loopback, plain HTTP behind the gateway, resize and no auto shutdown", () => {
  assertEquals(settings.network.interface, "127.0.0.1");
  assertEquals([settings.network.use_ipv6, settings.network.ssl.require_ssl], [false, false]);
  assertEquals(settings.desktop.allow_resize, true);
  assertEquals(settings.server.auto_shutdown.no_user_session_timeout, "never");
});

/** The value following `flag` in an argv. */
const valueOf = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

Deno.test("the KasmVNC and TigerVNC Xvnc argv: no X11 over TCP, loopback listeners, cookie auth, displayfd", () => {
  const kasm = kasmvncArgs(settings, OPTIONS);
  const tiger = tigervncArgs(OPTIONS);
  for (const argv of [kasm, tiger]) {
    assertEquals(argv[0], ":12");
    assertEquals(valueOf(argv, "-nolisten"), "tcp");
    assertEquals(valueOf(argv, "-interface"), "127.0.0.1");
    assertEquals(valueOf(argv, "-rfbport"), "41001");
    assertEquals(valueOf(argv, "-auth"), OPTIONS.authFile);
    assertEquals(valueOf(argv, "-displayfd"), "1");
    assertEquals(valueOf(argv, "-geometry"), "1280x800");
    assertEquals(argv.includes("-AcceptSetDesktopSize=1"), true);
  }
  assertEquals(tiger.includes("-localhost"), true);
  assertEquals([
    valueOf(kasm, "-websocketPort"),
    valueOf(kasm, "-httpd"),
    valueOf(kasm, "-sslOnly"),
  ], ["41002", "/usr/share/kasmvnc/www", "0"]);
});

Deno.test("the YAML writer quotes what YAML would misread and refuses keys it cannot write", () => {
  assertEquals(
    yamlText({
      a: "on",
      b: "12",
      c: "x: y",
      d: "plain/path.pem",
      e: [],
      f: ["one", "two"],
      g: { h: 1 },
    }),
    '---\na: "on"\nb: "12"\nc: "x: y"\nd: plain/path.pem\ne: []\nf:\n  - one\n  - two\ng:\n  h: 1\n',
  );
  assertThrows(() => yamlText({ "bad key": 1 }), /bad YAML key/);
});
