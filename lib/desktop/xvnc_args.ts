/** What an X server of a desktop is started with (pure data → argv). */
export interface XServerOptions {
  display: number;
  /** Loopback port of the RFB (VNC) listener. */
  vncPort: number;
  width: number;
  height: number;
  /** Xauthority file holding the cookie clients must present. */
  authFile: string;
}

/**
 * TigerVNC Xvnc argv. X11 is reachable only through the local socket (`-nolisten tcp`) and
 * only with the cookie of `authFile`; the VNC listener binds loopback only.
 * `-SecurityTypes None` is acceptable ONLY because of that: nothing but a local process can
 * reach the VNC port, and the gateway checks the user's session before proxying to it.
 * `-displayfd 1` makes Xvnc print the display on stdout once it accepts connections.
 */
export function tigervncArgs(options: XServerOptions): string[] {
  return [
    `:${options.display}`,
    "-displayfd",
    "1",
    "-auth",
    options.authFile,
    "-nolisten",
    "tcp",
    "-localhost",
    "-interface",
    "127.0.0.1",
    "-rfbport",
    String(options.vncPort),
    "-SecurityTypes",
    "None",
    "-geometry",
    `${options.width}x${options.height}`,
    "-depth",
    "24",
    // Remote resize: the web client asks for its window size (ExtendedDesktopSize).
    "-AcceptSetDesktopSize=1",
    // Reopening the viewer joins the same desktop instead of kicking or being refused.
    "-AlwaysShared",
    "-DisconnectClients=0",
    "-desktop",
    `AiKore :${options.display}`,
  ];
}
