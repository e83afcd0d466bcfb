import { assertMarker } from "../process/mod.ts";
import { findDesktopBackend } from "./find_backend.ts";
import { normalizePrefix } from "./viewer_page.ts";
import { type DesktopHandle, desktopHandle } from "./desktop_handle.ts";

import { launchDesktop } from "./launch_desktop.ts";
import type { DesktopSpec } from "./desktop_spec.ts";

export type { DesktopHandle };
export type { DesktopApp, DesktopSpec } from "./desktop_spec.ts";

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
