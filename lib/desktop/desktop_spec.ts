import type { DesktopChoice } from "./desktop_choice.ts";

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
  /** A second prefix the web root also answers under (the dashboard's "/instance/<slug>/"). */
  alsoAt?: string;
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
