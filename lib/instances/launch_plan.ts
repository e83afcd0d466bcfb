import type { InstanceRecord } from "../db/mod.ts";
import { cudaVisibleDevicesOf } from "../shared/identifiers.ts";
import type { BlueprintFacts } from "./blueprint_source.ts";
import type { InstancePaths } from "./instance_paths.ts";

/** Everything needed to run an instance, as plain data (argv, env, cwd, health, log). */
export interface InstanceLaunchPlan {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  marker: string;
  /** Folders to create before the start. */
  ensureDirs: string[];
  health: { kind: "http"; port: number; path: string } | { kind: "log"; pattern: string } | {
    kind: "process";
  };
  startTimeoutMs: number;
  /** Where the blueprint names its current step (`AIKORE_STEP_FILE`), confined to `root`. */
  stepFile: StepFile;
  /** Persistent mode: the app runs on its own virtual desktop (lib/desktop) in this folder. */
  desktop?: { instanceDir: string; slug: string };
}

/** A file beneath `root` that the app writes and AiKore reads confined (no link followed). */
export interface StepFile {
  root: string;
  path: string;
}

export interface LaunchPlanInput {
  record: InstanceRecord;
  /** The parent row for a satellite (its script and environment are used). */
  parent: InstanceRecord | null;
  blueprint: BlueprintFacts | null;
  paths: InstancePaths;
  /** Internal 127.0.0.1 port the app binds (`WEBUI_PORT`). */
  appPort: number;
  marker: string;
  /** Variables inherited from AiKore's own environment (PATH, HOME, LANG …). */
  baseEnv: Record<string, string>;
  /** The blueprint helper library (`functions.sh`) shipped with AiKore. */
  functionsScript: string;
}

/** Variables passed from AiKore's environment to instances; nothing else leaks through. */
export const INHERITED_ENV = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LC_ALL",
  "TZ",
  "SHELL",
  "CONDA_EXE",
  "MAMBA_ROOT_PREFIX",
  "HF_HOME",
  "LD_LIBRARY_PATH",
  "NVIDIA_VISIBLE_DEVICES",
  "NVIDIA_DRIVER_CAPABILITIES",
] as const;

/** Picks the inherited variables from an environment map. */
export function inheritedEnv(env: Record<string, string>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = env[name];
    if (value !== undefined) picked[name] = value;
  }
  picked.PATH ??= "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  return picked;
}

/**
 * Computes the launch plan of an instance. Pure: values travel as argv and env only, never
 * pasted into shell text. A satellite runs its parent's launch.sh and environment from its
 * own folder, with its own port, GPUs, output and logs, and is told not to install.
 */
export function buildLaunchPlan(input: LaunchPlanInput): InstanceLaunchPlan {
  const { record, parent, paths } = input;
  const owner = parent ?? record;
  const ownDir = paths.instanceDir(record.slug);
  const ownerDir = paths.instanceDir(owner.slug);
  const outputDir = paths.outputDir(record.outputPath);
  const tmpDir = `${paths.tmpRoot}/${record.slug}`;
  const metadata = input.blueprint?.metadata ?? null;
  const env: Record<string, string> = {
    ...input.baseEnv,
    TERM: "xterm-256color",
    COLORTERM: "truecolor",
    PYTHONUNBUFFERED: "1",
    WEBUI_PORT: String(input.appPort),
    INSTANCE_NAME: record.name,
    INSTANCE_SLUG: record.slug,
    INSTANCE_CONF_DIR: ownerDir,
    INSTANCE_DIR: ownDir,
    INSTANCE_OUTPUT_DIR: outputDir,
    BLUEPRINT_ID: owner.blueprint,
    SUBFOLDER: `/instance/${record.slug}/`,
    CUDA_DEVICE_ORDER: "PCI_BUS_ID",
    TMPDIR: tmpDir,
    AIKORE_INSTANCE_ID: input.marker,
    AIKORE_DATA_DIR: paths.dataDir,
    AIKORE_MODELS_DIR: paths.modelsRoot,
    AIKORE_DATA_MODELS: paths.modelsRoot,
    AIKORE_FUNCTIONS: input.functionsScript,
    AIKORE_SATELLITE: parent ? "1" : "0",
    AIKORE_SKIP_INSTALL: parent ? "1" : "0",
    AIKORE_STEP_FILE: paths.stepFile(record.slug),
  };
  const devices = cudaVisibleDevicesOf(record.gpuIds);
  if (devices !== null) env.CUDA_VISIBLE_DEVICES = devices;
  const versions = parent ?? record;
  if (versions.pythonVersion) env.PYTHON_VERSION = versions.pythonVersion;
  if (versions.cudaVersion) env.CUDA_VERSION = versions.cudaVersion;
  if (versions.torchVersion) env.TORCH_VERSION = versions.torchVersion;

  const healthMeta = metadata?.health ?? { kind: "http", path: "/" };
  const health: InstanceLaunchPlan["health"] = healthMeta.kind === "http"
    ? { kind: "http", port: input.appPort, path: healthMeta.path }
    : healthMeta;
  return {
    argv: ["bash", paths.launchScript(owner.slug)],
    env,
    cwd: ownDir,
    logPath: paths.logFile(record.slug),
    marker: input.marker,
    ensureDirs: [ownDir, paths.logsDir(record.slug), outputDir, tmpDir],
    health,
    startTimeoutMs: (metadata?.startTimeoutSec ?? 180) * 1000,
    stepFile: { root: paths.instancesRoot, path: paths.stepFile(record.slug) },
  };
}
