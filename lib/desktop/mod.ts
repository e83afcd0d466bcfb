/**
 * Persistent (desktop) mode: an instance's app in its own virtual X desktop (TigerVNC +
 * websockify + noVNC, or KasmVNC), with a real display/port reservation, streamed to the
 * browser by a web client on loopback that the gateway publishes behind the login.
 */
export { DESKTOP_CHOICES, parseDesktopChoice } from "./desktop_choice.ts";
export type { DesktopBackendKind, DesktopChoice } from "./desktop_choice.ts";
export { DesktopStartError, DesktopUnavailableError } from "./desktop_errors.ts";
export { findDesktopBackend, TIGERVNC_PACKAGES } from "./find_backend.ts";
export type { DesktopBackend } from "./find_backend.ts";
export { startDesktop } from "./start_desktop.ts";
export type { DesktopApp, DesktopHandle, DesktopSpec } from "./start_desktop.ts";
export type { DesktopExit } from "./desktop_run.ts";
export type { DesktopLease } from "./desktop_lease.ts";
export { sweepDesktops } from "./sweep_desktops.ts";
export type { SweepOptions, SweepReport } from "./sweep_desktops.ts";
export { normalizePrefix, viewerPath } from "./viewer_page.ts";
export { adoptDesktop, findDesktops } from "./adopt_desktop.ts";
export type { AdoptOptions, FoundDesktop } from "./adopt_desktop.ts";
export { startViewerFront } from "./viewer_front.ts";
export type { ViewerFront } from "./viewer_front.ts";
