import type { DesktopBackendKind } from "./desktop_choice.ts";
import { DesktopStartError } from "./desktop_errors.ts";
import { desktopEnv, type DesktopExit, desktopFiles, type DesktopRun } from "./desktop_run.ts";
import { findKioskBrowser, kioskArgv } from "./kiosk_browser.ts";
import { viewerPath } from "./viewer_page.ts";

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
  /** Folder of the web client (landing page + noVNC) a gateway may serve statically. */
  readonly webRoot: string;
  /** Pid of the app started from `spec.app`, else null (also after an adoption). */
  readonly appPid: number | null;
  /** Resolves once, when the X server has ended: by stop() or by a crash (with a message). */
  readonly exited: Promise<DesktopExit>;
  /** Opens a kiosk browser window on `url` (call when the app is healthy). */
  showApp(url: string): Promise<void>;
  /** Ends every process of the desktop and frees display and ports. */
  stop(): Promise<void>;
}

/** How the X server ended, as far as it can be known. */
export interface XServerEnd {
  code: number;
  signal: string | null;
}

/** The handle of a desktop run; `xserverEnded` settles when its X server is gone. */
export function desktopHandle(
  run: DesktopRun,
  searchPath: string,
  xserverEnded: Promise<XServerEnd>,
  appPid: number | null,
): DesktopHandle {
  const { lease } = run;
  const baseEnv = desktopEnv(lease, searchPath);
  const exited: Promise<DesktopExit> = xserverEnded.then((end): DesktopExit => {
    if (run.stopping) return { reason: "stopped" };
    const tail = run.logOf("xserver");
    const how = end.signal
      ? `signal ${end.signal}`
      : end.code < 0
      ? "an unknown status (adopted after a restart)"
      : `code ${end.code}`;
    return {
      reason: "crashed",
      code: end.code,
      signal: end.signal,
      message: `The desktop's X server (display :${lease.display}) ended with ${how}` +
        (tail ? `\n${tail}` : ""),
    };
  });
  return {
    backend: lease.backend,
    display: lease.display,
    vncPort: lease.vncPort,
    webPort: lease.webPort,
    leaseId: lease.leaseId,
    env: { DISPLAY: baseEnv.DISPLAY, XAUTHORITY: baseEnv.XAUTHORITY },
    viewerPath: viewerPath(lease.pathPrefix),
    webRoot: desktopFiles(lease.desktopDir).web,
    appPid,
    exited,
    async showApp(url: string) {
      if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(url)) {
        throw new RangeError(`showApp: "${url}" is not a loopback http(s) URL`);
      }
      if (run.stopping) throw new DesktopStartError("showApp: the desktop is stopping");
      const browser = findKioskBrowser(searchPath);
      const profile = desktopFiles(lease.desktopDir).profile;
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
