/** What each instance status allows in the UI, from the one status model in lib/shared. */
import type { InstanceDto, InstanceStatus } from "../../lib/shared/instance_schema.ts";
import {
  ACTIVE_STATUSES as ACTIVE,
  SERVING_STATUSES as STOPPABLE,
  STARTABLE_STATUSES as STARTABLE,
} from "../../lib/shared/instance_status.ts";

/** A process of the instance may be alive. */
export function isActive(status: InstanceStatus): boolean {
  return ACTIVE.has(status);
}

export function canStart(status: InstanceStatus): boolean {
  return STARTABLE.has(status);
}

export function canStop(status: InstanceStatus): boolean {
  return STOPPABLE.has(status);
}

export function canDelete(status: InstanceStatus): boolean {
  return !ACTIVE.has(status) && status !== "installing";
}

/** Why the app cannot be opened now, or null when View/Open are enabled. */
export function openBlocker(dto: InstanceDto): string | null {
  if (dto.status !== "started") return `The app opens once the instance is started (${dto.status})`;
  if (!dto.published.ok) return dto.published.reason ?? "The gateway does not publish it";
  if (!appUrl(dto, "tab")) return "No address is published for this instance";
  return null;
}

/** The server-built URL to show the app in the pane or a new tab (never concatenated here). */
export function appUrl(dto: InstanceDto, where: "pane" | "tab"): string | null {
  const { port, path, custom } = dto.urls;
  // The pane prefers the app's own port: another origin than the dashboard.
  return where === "pane" ? port ?? path : custom ?? port ?? path;
}

/** CSS modifier of a status badge. */
export function statusTone(status: InstanceStatus): "ok" | "busy" | "bad" | "idle" {
  switch (status) {
    case "started":
      return "ok";
    case "starting":
    case "stopping":
    case "installing":
      return "busy";
    case "stalled":
    case "error":
    case "exited":
      return "bad";
    default:
      return "idle";
  }
}
