import { assertMarker } from "../process/mod.ts";
import type { DesktopChoice } from "./desktop_choice.ts";
import { findDesktopBackend } from "./find_backend.ts";
import { normalizePrefix } from "./viewer_page.ts";
import { type DesktopHandle, desktopHandle } from "./desktop_handle.ts";

export type { DesktopHandle };
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

/**
 * Starts a desktop: reserves a display and loopback ports, then runs the X server (no X11
 * over TCP, VNC on loopback), openbox, the web client proxy and the app. Throws
 * DesktopUnavailableError when the backend is missing, DesktopStartError when it fails (and
 * leaves nothing running or reserved).
 */
export async function startDesktop(spec: DesktopSpec): Promise<DesktopHandle> {
  assertMarker(spec.marker);
  if (spec.app && spec.app.argv.length === 0) throw new TypeError("app.argv: must not be empty");
  const searchPath = spec.searchPath ?? Deno.env.get("PATH") ?? "/usr/bin:/bin";
  const backend = findDesktopBackend(spec.choice, { path: searchPath });
  const prefix = normalizePrefix(spec.pathPrefix ?? "/");
  const { run, xserver, app } = await launchDesktop({ ...spec, backend, prefix, searchPath });
  return desktopHandle(run, searchPath, xserver.status, app?.pid ?? null);
}
