import { basename, resolve } from "node:path";
import {
  BlueprintError,
  type BlueprintMetadata,
  MAX_BLUEPRINT_BYTES,
  parseBlueprintMetadata,
} from "../blueprints/mod.ts";
import { blueprintFileProblem } from "../shared/identifiers.ts";

/** What a CLI command prints and the process exit code it asks for. */
export interface CommandResult {
  exitCode: number;
  output: string;
}

const USAGE = "usage: aikore blueprint check FILE";

function describe(meta: BlueprintMetadata): string[] {
  const health = meta.health.kind === "http"
    ? `http:${meta.health.path}`
    : meta.health.kind === "log"
    ? `log:${meta.health.pattern}`
    : "process";
  const rows: Array<[string, string]> = [
    ["name", meta.name],
    ["category", meta.category],
    ["description", meta.description],
    ["venv_type", meta.venvType],
    ["venv_path", meta.venvPath],
    ["persistent_mode", String(meta.persistentMode)],
    ["health", health],
    ["start_timeout", `${meta.startTimeoutSec} s`],
    ["proxy", meta.proxy],
    ...Object.entries(meta.extra).map(([k, v]): [string, string] => [`${k} (unknown key)`, v]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}

async function bashSyntaxError(path: string): Promise<string | null> {
  try {
    const result = await new Deno.Command("bash", {
      args: ["-n", "--", path],
      stdout: "null",
      stderr: "piped",
    })
      .output();
    return result.code === 0
      ? null
      : new TextDecoder().decode(result.stderr).trim() || "bash -n failed";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null; // no bash here: the metadata check still stands
    throw error;
  }
}

/** `blueprint check FILE`: parses the metadata block and checks the bash syntax. */
export async function blueprintCheckCommand(
  args: readonly string[],
  context: { cwd: string },
): Promise<CommandResult> {
  if (args.length !== 1 || args[0] === undefined || args[0].startsWith("-")) {
    return { exitCode: 2, output: USAGE };
  }
  const path = resolve(context.cwd, args[0]);
  const file = basename(path);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    return { exitCode: 1, output: `cannot read ${path}: ${(error as Error).message}` };
  }
  if (bytes.length > MAX_BLUEPRINT_BYTES) {
    return { exitCode: 1, output: `${file}: larger than ${MAX_BLUEPRINT_BYTES} bytes` };
  }
  const text = new TextDecoder().decode(bytes);
  let meta: BlueprintMetadata;
  try {
    meta = parseBlueprintMetadata(text, file);
  } catch (error) {
    if (error instanceof BlueprintError) return { exitCode: 1, output: error.message };
    throw error;
  }
  const lines = [`${file}: metadata OK`, ...describe(meta)];
  if (!/AIKORE-METADATA-START/.test(text)) {
    lines.push("  (no metadata block: every default applies)");
  }
  const nameProblem = blueprintFileProblem(file);
  if (nameProblem) {
    lines.push(`note: "${file}" cannot be saved as a blueprint under this name: ${nameProblem}`);
  }
  const syntax = await bashSyntaxError(path);
  if (syntax) {
    return { exitCode: 1, output: [...lines, `${file}: bash syntax error:`, syntax].join("\n") };
  }
  return { exitCode: 0, output: lines.join("\n") };
}

/** `blueprint <subcommand> …`; only `check` exists. */
export function blueprintCommand(
  args: readonly string[],
  context: { cwd: string },
): Promise<CommandResult> {
  const [sub, ...rest] = args;
  if (sub === "check") return blueprintCheckCommand(rest, context);
  return Promise.resolve({ exitCode: 2, output: USAGE });
}
