import type { Logger } from "../log/mod.ts";
import { exists, lstatBeneath, PathRefused, readTextBeneath, writeBeneath } from "../fs/mod.ts";

export interface CloneOptions {
  /** The instances folder: both folders must be real folders directly inside it. */
  root: string;
  sourceDir: string;
  targetDir: string;
  /** The blueprint's venv path (e.g. `./env`), skipped by the plain copy. */
  venvPath: string;
  venvType: "conda" | "python" | "none";
  logger: Logger;
}

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; stderr: string }> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
    return { ok: out.success, stderr: new TextDecoder().decode(out.stderr).trim() };
  } catch (error) {
    return { ok: false, stderr: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Copies an instance folder: everything but the environment and logs, symlinks kept as links
 * (shared model folders are not duplicated); the environment is cloned where the venv type
 * allows it; absolute paths to the old folder in launch.sh are rewritten. Returns a note for
 * the user, or null when everything was copied.
 */
export async function cloneInstanceFiles(options: CloneOptions): Promise<string | null> {
  const { sourceDir, targetDir } = options;
  const venvName = options.venvPath.replace(/^\.\//, "").replace(/\/+$/, "");
  const sourceInfo = await lstatBeneath(options.root, sourceDir);
  if (sourceInfo && !sourceInfo.isDirectory) {
    throw new PathRefused(sourceDir.slice(options.root.length + 1), "it is not a real folder");
  }
  await Deno.mkdir(targetDir, { recursive: false });
  if (sourceInfo) {
    for await (const entry of Deno.readDir(sourceDir)) {
      if (entry.name === venvName || entry.name === "logs" || entry.name === ".rebuild-env") {
        continue;
      }
      const copied = await run("cp", ["-a", "--", `${sourceDir}/${entry.name}`, `${targetDir}/`]);
      if (!copied.ok) throw new Error(`copying ${entry.name} failed: ${copied.stderr}`);
    }
  }
  const note = await rewriteScript(options.root, sourceDir, targetDir);
  if (note) return note;
  const sourceEnv = `${sourceDir}/${venvName}`;
  if (!venvName || !(await exists(sourceEnv))) return null;
  if (options.venvType === "conda") {
    const cloned = await run("conda", [
      "create",
      "--prefix",
      `${targetDir}/${venvName}`,
      "--clone",
      sourceEnv,
      "-y",
    ]);
    if (cloned.ok) return null;
    options.logger.warn("conda clone failed", { error: cloned.stderr });
    return "The environment could not be cloned (conda failed); it is installed at first start";
  }
  return "The environment is not copied (virtualenvs are not relocatable); it is installed at first start";
}

/** Points absolute paths in the copy's launch.sh at the new folder; a linked script is left alone. */
async function rewriteScript(root: string, sourceDir: string, targetDir: string) {
  const script = `${targetDir}/launch.sh`;
  try {
    const text = await readTextBeneath(root, script);
    if (text !== null && text.includes(sourceDir)) {
      await writeBeneath(root, script, text.replaceAll(sourceDir, targetDir), 0o755);
    }
    return null;
  } catch (error) {
    if (!(error instanceof PathRefused)) throw error;
    return "launch.sh is a symbolic link: it was copied as a link and not rewritten";
  }
}
