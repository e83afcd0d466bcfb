import type { DesktopBackendKind, DesktopChoice } from "./desktop_choice.ts";
import { DesktopStartError } from "./desktop_errors.ts";
import type { DesktopExit } from "./desktop_run.ts";
import { findDesktopBackend } from "./find_backend.ts";
import { findKioskBrowser, kioskArgv } from "./kiosk_browser.ts";
import { normalizePrefix, viewerPath } from "./viewer_page.ts";
import { launchDesktop } from "./launch_desktop.ts";

/** A program to run on the desktop (argv/env as data, never shell text). */
export interface DesktopApp {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/** What the instance owner asks for. */
export interface DesktopSpec {
  /** AIKORE_DESKTOP: which backend (`off` → DesktopUnavailableError). */
  choice: DesktopChoice;
  /** AiKore's data dir: display leases live in `<dataDir>/desktops/`. */
  dataDir: string;
  /** The instance folder: logs, web root and the throwaway browser profile go in `desktop/`. */
  instanceDir: string;
  /** AIKORE_INSTANCE_ID given to every process of the desktop (stop sweeps by it). */
  marker: string;
  /** Where the browser sees the web client (default "/", the instance's pool port root). */
  pathPrefix?: string;
  /** Initial size before the viewer resizes it (default 1280×800). */
  size?: { width: number; height: number };
  /** Display numbers to choose from (default 10–99). */
  displays?: { first: number; last: number };
  /** The app, started with DISPLAY once the desktop is up; omitted → only the desktop. */
  app?: DesktopApp;
  /** PATH used to find and run the programs (default: AiKore's PATH). */
  searchPath?: string;
  /** Grace after SIGTERM at stop (default 5 s). */
  stopGraceMs?: number;
  /** Limit for the X server and proxy to come up (default 15 s). */
  readyTimeoutMs?: number;
}

/** A running desktop. */
export interface DesktopHandle {
  readonly backend: DesktopBackendKind;
  readonly display: number;
  readonly vncPort: number;
  readonly webPort: number;
  readonly leaseId: string;
  /** DISPLAY and XAUTHORITY for any program meant to show on this desktop. */
  readonly env: { DISPLAY: string; XAUTHORITY: string };
  /** Viewer page (path + query) under the prefix; the prefix root forwards there too. */
  readonly viewerPath: string;
  /** Pid of the app started from `spec.app`, else null. */
  readonly appPid: number | null;
  /** Resolves once, when the X server has ended: by stop() or by a crash (with a message). */
  readonly exited: Promise<DesktopExit>;
  /** Opens a kiosk browser window on `url` (call when the app is healthy). */
  showApp(url: string): Promise<void>;
  /** Ends every process of the desktop and frees display and ports. */
  stop(): Promise<void>;
}

/**
 * Starts a desktop: reserves a display and loopback ports, then runs the X server (no X11
 * over TCP, VNC on loopback), openbox, the web client proxy and the app. Throws
 * DesktopUnavailableError when the backend is missing, DesktopStartError when it fails (and
 * leaves nothing running or reserved).
 */
export async function startDesktop(spec: DesktopSpec): Promise<DesktopHandle> {
  const searchPath = spec.searchPath ?? Deno.env.get("PATH") ?? "/usr/bin:/bin";
  const backend = findDesktopBackend(spec.choice, { path: searchPath });
  const prefix = normalizePrefix(spec.pathPrefix ?? "/");
  const launched = await launchDesktop({ ...spec, backend, prefix, searchPath });
  const { run, xserver, baseEnv, app } = launched;
  const env = { DISPLAY: baseEnv.DISPLAY, XAUTHORITY: baseEnv.XAUTHORITY };
  const { lease } = run;
  const exited: Promise<DesktopExit> = xserver.status.then(async (status) => {
    if (run.stopping) return { reason: "stopped" };
    const tail = await run.logOf("xserver");
    const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
    return {
      reason: "crashed",
      code: status.code,
      signal: status.signal,
      message: `The desktop's X server (display :${lease.display}) ended with ${how}` +
        (tail ? `\n${tail}` : ""),
    };
  });
  return {
    backend: backend.kind,
    display: lease.display,
    vncPort: lease.vncPort,
    webPort: lease.webPort,
    leaseId: lease.leaseId,
    env,
    viewerPath: viewerPath(prefix),
    appPid: app?.pid ?? null,
    exited,
    async showApp(url: string) {
      if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url)) {
        throw new RangeError(`showApp: "${url}" is not a loopback http(s) URL`);
      }
      if (run.stopping) throw new DesktopStartError("showApp: the desktop is stopping");
      const browser = findKioskBrowser(searchPath);
      const profile = `${lease.desktopDir}/browser-profile`;
      await Deno.mkdir(profile, { recursive: true, mode: 0o700 });
      await run.spawn({
        role: "browser",
        argv: kioskArgv(browser, url, profile, Deno.uid() === 0),
        env: baseEnv,
        cwd: lease.desktopDir,
      });
    },
    stop: () => run.stop(),
  };
}
