/**
 * Inline editing of instance rows. A row shows the server's values overlaid with the user's
 * draft; live updates replace the server values, so fields the user has not touched follow
 * the server while typed text is never overwritten. Pure functions, tested without a browser.
 */
import type { InstanceDto, RestartPolicy } from "../../lib/shared/instance_schema.ts";
import { describeGpuChoice, normalizeGpuIds } from "./gpu_choice.ts";
import {
  INHERITED_FIELDS as SHARED_INHERITED_FIELDS,
  RESTART_FIELDS as SHARED_RESTART_FIELDS,
} from "../../lib/shared/instance_fields.ts";
import { describeIdleStop, idleStopText, idleStopValue, sameIdleStop } from "./idle_stop_text.ts";
import { isActive } from "./status.ts";

export { normalizeGpuIds };

/** The fields a row edits, in the shape the inputs use. */
export interface EditableValues {
  name: string;
  base_blueprint: string;
  output_path: string;
  /** "none" (CPU only), "all" or a normalised comma list (see gpu_choice.ts). */
  gpu_ids: string;
  autostart: boolean;
  persistent_mode: boolean;
  use_custom_hostname: boolean;
  hostname: string;
  port: number | null;
  restart_policy: RestartPolicy;
  /** "" = the blueprint's default. */
  python_version: string;
  cuda_version: string;
  torch_version: string;
  /** Minutes without a request before the instance is stopped, as typed ("" = off). */
  idle_stop_minutes: string;
}
export type EditableField = keyof EditableValues;
/** What the user changed in a row (absent = follow the server). */
export type Draft = Partial<EditableValues>;

export const FIELD_LABELS: Record<EditableField, string> = {
  name: "Name",
  base_blueprint: "Blueprint",
  output_path: "Output path",
  gpu_ids: "GPUs",
  autostart: "Autostart",
  persistent_mode: "Desktop mode",
  use_custom_hostname: "Custom address on",
  hostname: "Custom address",
  port: "Port",
  restart_policy: "Restart policy",
  python_version: "Python",
  cuda_version: "CUDA",
  torch_version: "Torch",
  idle_stop_minutes: "Idle stop",
};

/** The version fields ("" = the blueprint's default). */
export const VERSION_FIELDS = ["python_version", "cuda_version", "torch_version"] as const;
const FIELDS = Object.keys(FIELD_LABELS) as EditableField[];

/** Fields whose change needs a stopped instance or a confirmed restart (the server's table). */
const RESTART_FIELDS: ReadonlySet<string> = new Set<string>(SHARED_RESTART_FIELDS);

/** Fields a satellite inherits from its parent (shown locked; the server's table). */
export const INHERITED_FIELDS: ReadonlySet<string> = new Set<string>(SHARED_INHERITED_FIELDS);

/** The server's values of a row. */
export function valuesOf(dto: InstanceDto): EditableValues {
  return {
    name: dto.name,
    base_blueprint: dto.base_blueprint,
    output_path: dto.output_path,
    gpu_ids: normalizeGpuIds(dto.gpu_ids),
    autostart: dto.autostart,
    persistent_mode: dto.persistent_mode,
    use_custom_hostname: dto.use_custom_hostname,
    hostname: dto.hostname ?? "",
    port: dto.port,
    restart_policy: dto.restart_policy,
    python_version: dto.python_version ?? "",
    cuda_version: dto.cuda_version ?? "",
    torch_version: dto.torch_version ?? "",
    idle_stop_minutes: idleStopText(dto.idle_stop_minutes),
  };
}

function same<F extends EditableField>(field: F, a: EditableValues[F], b: EditableValues[F]) {
  if (field === "gpu_ids") return normalizeGpuIds(a as string) === normalizeGpuIds(b as string);
  if (field === "idle_stop_minutes") return sameIdleStop(a as string, b as string);
  return a === b;
}

/** Draft fields that differ from the server (inherited fields of satellites never count). */
export function dirtyFields(dto: InstanceDto, draft: Draft): EditableField[] {
  const server = valuesOf(dto);
  const satellite = dto.parent_instance_id !== null;
  return FIELDS.filter((field) => {
    if (satellite && INHERITED_FIELDS.has(field)) return false;
    const value = draft[field];
    return value !== undefined && !same(field, value, server[field]);
  });
}

/** The value a row shows: the draft's when the user changed it, else the server's. */
export function shownValue<F extends EditableField>(
  dto: InstanceDto,
  draft: Draft,
  field: F,
): EditableValues[F] {
  const value = draft[field];
  return value === undefined ? valuesOf(dto)[field] : value as EditableValues[F];
}

/** The draft without fields that now equal the server's values. */
export function pruneDraft(dto: InstanceDto, draft: Draft): Draft {
  const keep = new Set(dirtyFields(dto, draft));
  const pruned: Draft = {};
  for (const field of keep) Object.assign(pruned, { [field]: draft[field] });
  return pruned;
}

/** A value as the change list shows it. */
export function describeValue(field: EditableField, value: unknown): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  if (field === "port") return value === null ? "auto" : String(value);
  if (field === "gpu_ids") return describeGpuChoice(String(value));
  if (field === "idle_stop_minutes") return describeIdleStop(String(value));
  if ((VERSION_FIELDS as readonly string[]).includes(field) && value === "") {
    return "blueprint default";
  }
  if (value === "" || value === null || value === undefined) return "(none)";
  return String(value);
}

/** One line of the "Save changes" list. */
export interface FieldChange {
  field: EditableField;
  label: string;
  from: string;
  to: string;
  needsRestart: boolean;
}

/** Every change of a row, old → new. */
export function changesOf(dto: InstanceDto, draft: Draft): FieldChange[] {
  const server = valuesOf(dto);
  return dirtyFields(dto, draft).map((field) => ({
    field,
    label: FIELD_LABELS[field],
    from: describeValue(field, server[field]),
    to: describeValue(field, draft[field]),
    needsRestart: RESTART_FIELDS.has(field),
  }));
}

/** True when saving this draft stops and restarts the running instance. */
export function needsRestart(dto: InstanceDto, draft: Draft): boolean {
  return isActive(dto.status) && changesOf(dto, draft).some((c) => c.needsRestart);
}

/** The `PUT /api/instances/{id}` body for a draft; the caller has confirmed restart/replace. */
export function updateBodyOf(dto: InstanceDto, draft: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of dirtyFields(dto, draft)) {
    const value = draft[field];
    if (field === "gpu_ids") body.gpu_ids = normalizeGpuIds(value as string);
    else if (field === "hostname") body.hostname = value === "" ? null : value;
    else if (field === "idle_stop_minutes") body.idle_stop_minutes = idleStopValue(value as string);
    else if ((VERSION_FIELDS as readonly string[]).includes(field)) {
      body[field] = value === "" ? null : value;
    } else body[field] = value;
  }
  if (needsRestart(dto, draft)) body.restart = true;
  if ("base_blueprint" in body) body.replace_script = true;
  return body;
}
