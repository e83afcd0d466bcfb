import { findProgram, type PathProbe } from "./find_program.ts";
import { DesktopUnavailableError } from "./desktop_errors.ts";

/** A browser that can show the app full-screen on the desktop. */
export interface KioskBrowser {
  kind: "chromium" | "firefox";
  path: string;
}

const CANDIDATES: ReadonlyArray<[KioskBrowser["kind"], string]> = [
  ["chromium", "chromium"],
  ["chromium", "chromium-browser"],
  ["firefox", "firefox-esr"],
  ["firefox", "firefox"],
];

/** The first kiosk-capable browser on `searchPath`; throws naming the packages when none. */
export function findKioskBrowser(searchPath: string, exists?: PathProbe): KioskBrowser {
  for (const [kind, name] of CANDIDATES) {
    const path = findProgram(name, searchPath, exists);
    if (path) return { kind, path };
  }
  throw new DesktopUnavailableError("No browser for the desktop's app window", [
    "chromium",
    "(or firefox-esr)",
  ]);
}

/**
 * Argv of a kiosk window on `url` with a throwaway profile in `profileDir`. Chromium refuses
 * to run as root with its sandbox on, so `--no-sandbox` is added only then.
 */
export function kioskArgv(
  browser: KioskBrowser,
  url: string,
  profileDir: string,
  runAsRoot: boolean,
): string[] {
  if (browser.kind === "firefox") {
    return [browser.path, "--kiosk", "--no-remote", "--profile", profileDir, url];
  }
  return [
    browser.path,
    "--kiosk",
    `--user-data-dir=${profileDir}`,
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--password-store=basic",
    ...(runAsRoot ? ["--no-sandbox", "--test-type"] : []),
    url,
  ];
}
