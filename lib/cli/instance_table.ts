import { textColumns } from "./text_columns.ts";
import { isIdleStopped } from "../shared/idle_stop.ts";
import type { InstanceDto } from "../shared/instance_schema.ts";

const idleStopped = (i: InstanceDto) =>
  isIdleStopped({ status: i.status, statusMessage: i.status_message });

/** The status as a person reads it: `exited (3)`, `exited (signal 9)`, `stopped (idle)`. */
export function statusText(instance: InstanceDto): string {
  if (idleStopped(instance)) return "stopped (idle)";
  if (instance.status !== "exited" && instance.status !== "error") return instance.status;
  if (instance.exit_signal !== null) return `${instance.status} (signal ${instance.exit_signal})`;
  if (instance.exit_code !== null) return `${instance.status} (${instance.exit_code})`;
  return instance.status;
}

/** `slug: status — message` for the result of an action. */
export function statusLine(instance: InstanceDto): string {
  // The idle note only repeats "stopped (idle)".
  const message = instance.status_message && !idleStopped(instance)
    ? ` — ${instance.status_message}`
    : "";
  return `${instance.slug}: ${statusText(instance)}${message}`;
}

/** The instances as aligned columns; satellites are indented under their parent. */
export function instanceTable(instances: readonly InstanceDto[]): string {
  if (instances.length === 0) return "No instances.";
  const header = ["ID", "NAME", "STATUS", "PORT", "GPUS", "IDLE", "BLUEPRINT"];
  const rows = instances.map((i) => [
    String(i.id),
    i.parent_instance_id === null ? i.slug : `└ ${i.slug}`,
    statusText(i),
    i.port === null ? "-" : String(i.port),
    i.gpu_ids ?? "-",
    i.idle_stop_minutes ? `${i.idle_stop_minutes} min` : "off",
    i.base_blueprint,
  ]);
  return textColumns([header, ...rows]);
}
