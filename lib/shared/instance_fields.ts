/**
 * The one table of instance configuration fields shared by server and browser: API name →
 * record name, which need a restart when changed on a running instance, and which a
 * satellite inherits from its parent.
 */

/** API (snake_case) name → record (camelCase) name of every configuration field. */
export const CONFIG_FIELDS = {
  name: "name",
  slug: "slug",
  base_blueprint: "blueprint",
  gpu_ids: "gpuIds",
  autostart: "autostart",
  persistent_mode: "persistentMode",
  hostname: "hostname",
  use_custom_hostname: "useCustomHostname",
  output_path: "outputPath",
  port: "port",
  restart_policy: "restartPolicy",
  python_version: "pythonVersion",
  cuda_version: "cudaVersion",
  torch_version: "torchVersion",
  idle_stop_minutes: "idleStopMinutes",
} as const;

export type ConfigField = keyof typeof CONFIG_FIELDS;

/** Fields whose change needs the instance stopped (or a confirmed restart). */
export const RESTART_FIELDS = [
  "name",
  "slug",
  "base_blueprint",
  "gpu_ids",
  "output_path",
  "persistent_mode",
  "port",
  "python_version",
  "cuda_version",
  "torch_version",
] as const satisfies readonly ConfigField[];

/** Fields a satellite takes from its parent and cannot change. */
export const INHERITED_FIELDS = [
  "base_blueprint",
  "output_path",
  "python_version",
  "cuda_version",
  "torch_version",
  "idle_stop_minutes",
] as const satisfies readonly ConfigField[];

/** Fields copied from the request as they are (the others are resolved or validated first). */
export const PLAIN_FIELDS = [
  "name",
  "autostart",
  "persistent_mode",
  "hostname",
  "use_custom_hostname",
  "restart_policy",
  "python_version",
  "cuda_version",
  "torch_version",
  "idle_stop_minutes",
] as const satisfies readonly ConfigField[];
