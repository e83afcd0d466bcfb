import type { DesktopBackendKind, DesktopChoice } from "./desktop_choice.ts";
import { DesktopUnavailableError } from "./desktop_errors.ts";
import { findProgram, pathExists, type PathProbe } from "./find_program.ts";

/** The programs of one usable backend, as absolute paths. */
export interface DesktopBackend {
  kind: DesktopBackendKind;
  xvnc: string;
  openbox: string;
  /** TigerVNC only: the WebSocket proxy and the noVNC client folder it serves. */
  websockify: string | null;
  /** The web client folder (noVNC for TigerVNC, KasmVNC's www otherwise). */
  webDir: string;
}

/** Where the host's programs are looked up. */
export interface BackendSearch {
  path: string;
  exists?: PathProbe;
}

/** Debian packages of the TigerVNC backend, by the program each provides. */
export const TIGERVNC_PACKAGES = {
  Xvnc: "tigervnc-standalone-server",
  websockify: "websockify",
  noVNC: "novnc",
  openbox: "openbox",
} as const;
const KASMVNC_PACKAGE = "kasmvncserver (github.com/kasmtech/KasmVNC releases)";
const NOVNC_DIRS = ["/usr/share/novnc"];
const KASM_PREFIXES = ["/usr", "/usr/local"];

/** KasmVNC's Xvnc and web folder when installed (its www sits beside its Xvnc). */
function findKasm(exists: PathProbe): { xvnc: string; webDir: string } | null {
  for (const prefix of KASM_PREFIXES) {
    const webDir = `${prefix}/share/kasmvnc/www`;
    if (exists(webDir) && exists(`${prefix}/bin/Xvnc`)) {
      return { xvnc: `${prefix}/bin/Xvnc`, webDir };
    }
  }
  return null;
}

function tigervnc(search: BackendSearch, exists: PathProbe): DesktopBackend {
  const xvnc = findProgram("Xvnc", search.path, exists);
  const websockify = findProgram("websockify", search.path, exists);
  const openbox = findProgram("openbox", search.path, exists);
  const webDir = NOVNC_DIRS.find((dir) => exists(`${dir}/vnc.html`)) ?? null;
  const missing: string[] = [];
  if (!xvnc) missing.push(TIGERVNC_PACKAGES.Xvnc);
  if (!websockify) missing.push(TIGERVNC_PACKAGES.websockify);
  if (!webDir) missing.push(TIGERVNC_PACKAGES.noVNC);
  if (!openbox) missing.push(TIGERVNC_PACKAGES.openbox);
  if (!xvnc || !websockify || !webDir || !openbox) {
    throw new DesktopUnavailableError("Desktop mode (TigerVNC) is not installed", missing);
  }
  return { kind: "tigervnc", xvnc, openbox, websockify, webDir };
}

function kasmvnc(search: BackendSearch, exists: PathProbe): DesktopBackend {
  const kasm = findKasm(exists);
  const openbox = findProgram("openbox", search.path, exists);
  const missing = [...(kasm ? [] : [KASMVNC_PACKAGE]), ...(openbox ? [] : ["openbox"])];
  if (!kasm || !openbox) {
    throw new DesktopUnavailableError("Desktop mode (KasmVNC) is not installed", missing);
  }
  return { kind: "kasmvnc", xvnc: kasm.xvnc, openbox, websockify: null, webDir: kasm.webDir };
}

/**
 * The backend `AIKORE_DESKTOP` selects on this host. `auto` takes KasmVNC when its Xvnc is
 * installed, else TigerVNC. Throws DesktopUnavailableError (naming packages) when none runs.
 */
export function findDesktopBackend(choice: DesktopChoice, search: BackendSearch): DesktopBackend {
  const exists = search.exists ?? pathExists;
  if (choice === "off") {
    throw new DesktopUnavailableError("Desktop mode is switched off (AIKORE_DESKTOP=off)", []);
  }
  if (choice === "kasmvnc") return kasmvnc(search, exists);
  if (choice === "tigervnc") return tigervnc(search, exists);
  return findKasm(exists) ? kasmvnc(search, exists) : tigervnc(search, exists);
}
