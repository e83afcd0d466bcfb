import {
  type DesktopBackend,
  type DesktopChoice,
  DesktopUnavailableError,
  findDesktopBackend,
} from "../../desktop/mod.ts";

/** Persistent mode on this host, as found at start-up. */
export interface DesktopSetup {
  choice: DesktopChoice;
  /** AiKore's data dir (display leases live in `<data>/desktops/`). */
  dataDir: string;
  /** The backend found, or null with `reason` (and the packages to install) set. */
  backend: DesktopBackend | null;
  reason: string | null;
  packages: readonly string[];
}

/** Looks for the backend `AIKORE_DESKTOP` selects on this host's PATH (never throws). */
export function chooseDesktop(
  choice: DesktopChoice,
  dataDir: string,
  path = Deno.env.get("PATH") ?? "/usr/bin:/bin",
): DesktopSetup {
  try {
    const backend = findDesktopBackend(choice, { path });
    return { choice, dataDir, backend, reason: null, packages: [] };
  } catch (error) {
    if (!(error instanceof DesktopUnavailableError)) throw error;
    return { choice, dataDir, backend: null, reason: error.message, packages: error.packages };
  }
}
