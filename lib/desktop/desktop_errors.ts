/**
 * Persistent mode cannot run here: the backend is switched off or its programs are missing.
 * `packages` names what to install (Debian names), for a 503 message and the README.
 */
export class DesktopUnavailableError extends Error {
  constructor(reason: string, readonly packages: readonly string[]) {
    super(
      packages.length > 0 ? `${reason}; install: ${packages.join(" ")}` : reason,
    );
    this.name = "DesktopUnavailableError";
  }
}

/** A desktop could not be started (X server, proxy or display reservation failed). */
export class DesktopStartError extends Error {
  constructor(message: string, readonly logTail = "") {
    super(logTail ? `${message}\n${logTail}` : message);
    this.name = "DesktopStartError";
  }
}
