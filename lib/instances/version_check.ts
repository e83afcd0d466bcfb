import type { InstanceRecord } from "../db/mod.ts";
import { cudaVisibleDevicesOf } from "../shared/identifiers.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import { ACTIVATE_ENVIRONMENT, environmentVariables } from "./environment_activation.ts";
import type { InstancePaths } from "./instance_paths.ts";

const SEPARATOR = "---AIKORE-SEPARATOR---";

/** Static script: values arrive through the environment, never pasted into the text. */
const VERSION_SCRIPT = `${ACTIVATE_ENVIRONMENT}PY=$(command -v python || command -v python3)
if [ -z "$PY" ]; then echo "No Python found in this environment"; echo "${SEPARATOR}"; exit 0; fi
"$PY" - <<'PYEOF'
import importlib, platform, sys
print(f"Python {platform.python_version()} ({sys.executable})")
for name in ("torch", "torchvision", "torchaudio", "xformers", "numpy", "diffusers", "transformers", "gradio"):
    try:
        module = importlib.import_module(name)
        print(f"{name} {getattr(module, '__version__', '?')}")
    except Exception:
        pass
try:
    import torch
    print(f"CUDA (torch) {torch.version.cuda} available={torch.cuda.is_available()}")
except Exception:
    pass
PYEOF
echo "${SEPARATOR}"
"$PY" -m pip check 2>&1 || true
`;

export interface VersionReport {
  versions: string;
  conflicts: string;
}

/** Where an instance's environment is: the instance, and its owner (the parent of a satellite). */
export interface InstanceEnvironment {
  record: InstanceRecord;
  owner: InstanceRecord;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  baseEnv: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Runs the static bash `script` in the instance environment (the owner's venv or conda env
 * activated by ACTIVATE_ENVIRONMENT, the instance's GPUs), from the owner's folder; its output.
 */
export async function runInEnvironment(
  script: string,
  options: InstanceEnvironment,
): Promise<{ stdout: string; stderr: string; venvDir: string; ownerDir: string }> {
  // A blueprint that is gone or unreadable only loses its venv hints; the script still runs.
  const blueprint = await options.blueprints.find(options.owner.blueprint).catch(() => null);
  const ownerDir = options.paths.instanceDir(options.owner.slug);
  const devices = cudaVisibleDevicesOf(options.record.gpuIds);
  const venv = environmentVariables(blueprint, ownerDir);
  const command = new Deno.Command("bash", {
    args: ["-c", script],
    // An instance never started has no folder yet: run from the data dir then.
    cwd: await Deno.stat(ownerDir).then(() => ownerDir).catch(() => options.paths.dataDir),
    env: {
      ...options.baseEnv,
      ...venv,
      ...(devices === null ? {} : { CUDA_VISIBLE_DEVICES: devices }),
    },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  });
  const output = await command.output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    stdout: decode(output.stdout),
    stderr: decode(output.stderr),
    venvDir: venv.AIKORE_VENV_DIR,
    ownerDir,
  };
}

/** Runs the version check in the instance environment (parent's for a satellite). */
export async function runVersionCheck(options: InstanceEnvironment): Promise<VersionReport> {
  const output = await runInEnvironment(VERSION_SCRIPT, options);
  const [versions = "", conflicts = ""] = (output.stdout + output.stderr).split(SEPARATOR);
  const cleaned = conflicts.trim().replace(
    /^No broken requirements found\.?$/m,
    "No dependency conflicts found.",
  );
  return { versions: versions.trim(), conflicts: cleaned };
}
