import { z } from "zod";
import {
  blueprintFileProblem,
  displayNameProblem,
  hostnameProblem,
  portProblem,
  relativePathProblem,
  slugProblem,
  versionProblem,
} from "./identifiers.ts";
import { idleStopProblem } from "./idle_stop.ts";

/** Instance lifecycle states (their changes: lib/instances/state_machine.ts). */
export const INSTANCE_STATUSES = [
  "stopped",
  "installing",
  "starting",
  "started",
  "stalled",
  "exited",
  "error",
  "stopping",
] as const;
export type InstanceStatus = typeof INSTANCE_STATUSES[number];

export const RESTART_POLICIES = ["no", "on-failure"] as const;
export type RestartPolicy = typeof RESTART_POLICIES[number];

function rule(problem: (value: string) => string | null) {
  return (value: string, ctx: z.RefinementCtx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  };
}

export const slugSchema = z.string().superRefine(rule(slugProblem));
export const displayNameSchema = z.string().superRefine(rule(displayNameProblem));
export const hostnameSchema = z.string().superRefine(rule(hostnameProblem));
export const versionSchema = z.string().superRefine(rule(versionProblem));
export const blueprintFileSchema = z.string().superRefine(rule(blueprintFileProblem));
export const outputPathSchema = z.string().superRefine(rule(relativePathProblem));
export const portSchema = z.number().superRefine((value, ctx) => {
  const reason = portProblem(value);
  if (reason) ctx.addIssue({ code: "custom", message: reason });
});
/** Minutes without a request or connection before the app is stopped; 0 or null: off. */
export const idleStopSchema = z.number().nullable().superRefine((value, ctx) => {
  const reason = idleStopProblem(value);
  if (reason) ctx.addIssue({ code: "custom", message: reason });
});
/** GPU selection text; checked against the real GPU count by the service. */
export const gpuIdsSchema = z.string().max(400);

const nullableVersion = versionSchema.nullable().optional();

/** Body of `POST /api/instances`. `slug` defaults to `name`, which must then be a valid slug. */
export const createInstanceSchema = z.strictObject({
  name: displayNameSchema,
  slug: slugSchema.optional(),
  base_blueprint: blueprintFileSchema,
  gpu_ids: gpuIdsSchema.nullable().optional(),
  output_path: outputPathSchema.nullable().optional(),
  autostart: z.boolean().optional(),
  persistent_mode: z.boolean().optional(),
  hostname: hostnameSchema.nullable().optional(),
  use_custom_hostname: z.boolean().optional(),
  port: portSchema.nullable().optional(),
  restart_policy: z.enum(RESTART_POLICIES).optional(),
  python_version: nullableVersion,
  cuda_version: nullableVersion,
  torch_version: nullableVersion,
  idle_stop_minutes: idleStopSchema.optional(),
});
export type CreateInstanceInput = z.infer<typeof createInstanceSchema>;

/** Body of `PUT /api/instances/{id}`: every field optional; `restart` confirms stop→apply→start. */
export const updateInstanceSchema = createInstanceSchema.partial().extend({
  restart: z.boolean().optional(),
  /** Confirms that a blueprint change replaces launch.sh (edits are lost). */
  replace_script: z.boolean().optional(),
});
export type UpdateInstanceInput = z.infer<typeof updateInstanceSchema>;

/** Body of copy (clone) and instantiate (satellite). */
export const newNameSchema = z.strictObject({
  new_name: displayNameSchema,
  new_slug: slugSchema.optional(),
});
export type NewNameInput = z.infer<typeof newNameSchema>;

/** A clone: a new name, and its own output folder (the source's when absent). */
export const copySchema = newNameSchema.extend({ output_path: outputPathSchema.optional() });
export type CopyInput = z.infer<typeof copySchema>;

export const deleteInstanceSchema = z.strictObject({
  mode: z.enum(["trash", "permanent"]).default("trash"),
  overwrite: z.boolean().default(false),
});
export type DeleteInstanceInput = z.infer<typeof deleteInstanceSchema>;

export const fileContentSchema = z.strictObject({
  content: z.string().max(1_000_000),
});

export const customBlueprintSchema = z.strictObject({
  filename: blueprintFileSchema,
  content: z.string().max(1_000_000),
  overwrite: z.boolean().optional(),
});

export const displayOrderSchema = z.strictObject({
  order: z.array(z.number().int().positive()).max(10_000),
});

/** URLs to open an instance; built by the server so the UI never concatenates strings. */
export interface InstanceUrls {
  port: string | null;
  path: string | null;
  custom: string | null;
}

/** The instance as the API returns it (field names compatible with the Python AiKore). */
export interface InstanceDto {
  id: number;
  parent_instance_id: number | null;
  name: string;
  slug: string;
  base_blueprint: string;
  gpu_ids: string | null;
  output_path: string;
  autostart: boolean;
  persistent_mode: boolean;
  hostname: string | null;
  use_custom_hostname: boolean;
  port: number | null;
  restart_policy: RestartPolicy;
  python_version: string | null;
  cuda_version: string | null;
  torch_version: string | null;
  /** The idle-stop policy in minutes, null when off. Additive. */
  idle_stop_minutes?: number | null;
  status: InstanceStatus;
  status_message: string | null;
  pid: number | null;
  exit_code: number | null;
  exit_signal: number | null;
  started_at: string | null;
  created_at: string;
  updated_at: string;
  persistent_port: number | null;
  persistent_display: number | null;
  urls: InstanceUrls;
  published: { ok: boolean; reason: string | null };
  /** The last lines of the log of a failed run (exited/error), else null. Additive. */
  last_output?: string[] | null;
  /**
   * A failed run (exited/error) whose environment changed since the last run that worked: the
   * changes in words ("torch 2.5.1 → 2.6.0"), torch/CUDA first; else null. Additive.
   */
  environment_changes?: string[] | null;
}
