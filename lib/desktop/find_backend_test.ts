/** Backend choice from AIKORE_DESKTOP and what is installed (paths probed through a stub). */
import { assertEquals, assertMatch, assertThrows } from "../../tests/helpers/assert.ts";
import { parseDesktopChoice } from "./desktop_choice.ts";
import { DesktopUnavailableError } from "./desktop_errors.ts";
import { findDesktopBackend } from "./find_backend.ts";
import { findKioskBrowser, kioskArgv } from "./kiosk_browser.ts";
import { startDesktop } from "./start_desktop.ts";

const TIGER = [
  "/usr/bin/Xvnc",
  "/usr/bin/websockify",
  "/usr/bin/openbox",
  "/usr/share/novnc/vnc.html",
];
const KASM = ["/usr/local/bin/Xvnc", "/usr/local/share/kasmvnc/www", "/usr/bin/openbox"];
const probe = (paths: string[]) => (path: string) => paths.includes(path);
const search = (paths: string[]) => ({ path: "/usr/local/bin:/usr/bin", exists: probe(paths) });

function unavailable(run: () => unknown): DesktopUnavailableError {
  try {
    run();
  } catch (error) {
    if (error instanceof DesktopUnavailableError) return error;
    throw error;
  }
  throw new Error("expected DesktopUnavailableError");
}

Deno.test("AIKORE_DESKTOP accepts auto|kasmvnc|tigervnc|off (unset = auto) and names itself on bad input", () => {
  assertEquals(parseDesktopChoice(undefined), "auto");
  assertEquals(parseDesktopChoice(" TigerVNC "), "tigervnc");
  assertEquals(parseDesktopChoice("off"), "off");
  assertThrows(
    () => parseDesktopChoice("x11"),
    /AIKORE_DESKTOP: "x11" is not one of auto, kasmvnc, tigervnc, off/,
  );
});

Deno.test("auto takes KasmVNC when its Xvnc is installed, TigerVNC otherwise", () => {
  assertEquals(findDesktopBackend("auto", search([...TIGER, ...KASM])).kind, "kasmvnc");
  const kasm = findDesktopBackend("auto", search(KASM));
  assertEquals([kasm.xvnc, kasm.webDir, kasm.websockify], [
    "/usr/local/bin/Xvnc",
    "/usr/local/share/kasmvnc/www",
    null,
  ]);
  const tiger = findDesktopBackend("auto", search(TIGER));
  assertEquals([tiger.kind, tiger.xvnc, tiger.websockify, tiger.webDir], [
    "tigervnc",
    "/usr/bin/Xvnc",
    "/usr/bin/websockify",
    "/usr/share/novnc",
  ]);
  assertEquals(
    findDesktopBackend("tigervnc", search([...TIGER, ...KASM])).kind,
    "tigervnc",
    "an explicit choice wins",
  );
});

Deno.test("a missing backend is a typed error naming the packages to install", () => {
  const none = unavailable(() => findDesktopBackend("auto", search([])));
  assertEquals(none.packages, ["tigervnc-standalone-server", "websockify", "novnc", "openbox"]);
  assertMatch(none.message, /install: tigervnc-standalone-server websockify novnc openbox$/);
  const partial = unavailable(() =>
    findDesktopBackend("tigervnc", search(TIGER.filter((p) => !p.includes("websockify"))))
  );
  assertEquals(partial.packages, ["websockify"]);
  assertMatch(
    unavailable(() => findDesktopBackend("kasmvnc", search(TIGER))).message,
    /KasmVNC.*kasmvncserver/,
  );
  const off = unavailable(() => findDesktopBackend("off", search([...TIGER, ...KASM])));
  assertEquals([off.message, off.packages.length], [
    "Desktop mode is switched off (AIKORE_DESKTOP=off)",
    0,
  ]);
});

Deno.test("the kiosk browser gets a throwaway profile, and --no-sandbox only as root", () => {
  const chromium = findKioskBrowser("/usr/bin", probe(["/usr/bin/chromium"]));
  const asRoot = kioskArgv(chromium, "http://127.0.0.1:7000/", "/i/desktop/browser-profile", true);
  assertEquals([asRoot[0], asRoot[1], asRoot[2], asRoot.at(-1)], [
    "/usr/bin/chromium",
    "--kiosk",
    "--user-data-dir=/i/desktop/browser-profile",
    "http://127.0.0.1:7000/",
  ]);
  assertEquals(asRoot.includes("--no-sandbox"), true);
  assertEquals(
    kioskArgv(chromium, "http://127.0.0.1:7000/", "/p", false).includes("--no-sandbox"),
    false,
  );
  const firefox = findKioskBrowser("/usr/bin", probe(["/usr/bin/firefox-esr"]));
  assertEquals(kioskArgv(firefox, "http://127.0.0.1:1/", "/p", true), [
    "/usr/bin/firefox-esr",
    "--kiosk",
    "--no-remote",
    "--profile",
    "/p",
    "http://127.0.0.1:1/",
  ]);
  assertMatch(
    unavailable(() => findKioskBrowser("/usr/bin", probe([]))).message,
    /install: chromium/,
  );
});

Deno.test("startDesktop with no backend installed rejects with the packages to install and reserves nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "aikore-desktop-" });
  const spec = {
    choice: "tigervnc",
    dataDir: `${root}/data`,
    instanceDir: `${root}/i`,
    marker: "none",
    searchPath: `${root}/bin`,
  } as const;
  const error = await startDesktop(spec).catch((e) => e);
  assertEquals(error instanceof DesktopUnavailableError, true);
  assertEquals(error.packages, ["tigervnc-standalone-server", "websockify", "openbox"]);
  assertEquals([...Deno.readDirSync(root)].length, 0, "no lease folder, no instance folder");
  await Deno.remove(root, { recursive: true });
});
