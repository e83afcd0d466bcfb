import type { DesktopBackendKind } from "./desktop_choice.ts";

/** One process of a desktop, identified across pid reuse by its start time. */
export interface LeasedProcess {
  role: string;
  pid: number;
  startTicks: number;
}

/**
 * The record of a reserved display, `<data>/desktops/display-<n>.json`. The claimant is the
 * AiKore process that reserved it; `marker` is the AIKORE_INSTANCE_ID its processes carry.
 */
export interface DesktopLease {
  version: 1;
  display: number;
  leaseId: string;
  marker: string;
  backend: DesktopBackendKind;
  vncPort: number;
  webPort: number;
  desktopDir: string;
  /** Where the browser sees the web client ("/" or "/instance/<slug>/"). */
  pathPrefix: string;
  claimant: { pid: number; startTicks: number };
  processes: LeasedProcess[];
  createdAt: string;
}

const isInt = (value: unknown, min: number, max: number): value is number =>
  Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;

function isProcess(value: unknown): value is LeasedProcess {
  const p = value as LeasedProcess;
  return typeof p === "object" && p !== null && typeof p.role === "string" &&
    isInt(p.pid, 2, 2 ** 22) && isInt(p.startTicks, 0, Number.MAX_SAFE_INTEGER);
}

/** Parses a lease file's text; null when it is not a valid lease (treated as stale). */
export function parseLease(text: string): DesktopLease | null {
  let value: DesktopLease;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || value.version !== 1) return null;
  const ok = isInt(value.display, 0, 65535) && typeof value.leaseId === "string" &&
    typeof value.marker === "string" && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(value.marker) &&
    (value.backend === "tigervnc" || value.backend === "kasmvnc") &&
    isInt(value.vncPort, 1, 65535) && isInt(value.webPort, 1, 65535) &&
    typeof value.desktopDir === "string" && value.desktopDir.startsWith("/") &&
    typeof value.pathPrefix === "string" && value.pathPrefix.startsWith("/") &&
    isProcess({ role: "claimant", ...value.claimant }) && Array.isArray(value.processes) &&
    value.processes.every(isProcess);
  return ok ? value : null;
}
