import { isAbsolute, join } from "node:path";

const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * Finds `file` in the CHILD's PATH (posix_spawnp would search AiKore's own PATH, which is
 * wrong for a venv or conda bin directory). Names containing "/" are used as given (relative
 * ones resolve against the child's cwd). Throws an ENOENT-style error when nothing matches.
 */
export function resolveProgram(file: string, env: Record<string, string>, cwd: string): string {
  if (file.includes("/")) return file;
  const searchPath = env.PATH ?? DEFAULT_PATH;
  for (const entry of searchPath.split(":")) {
    const dir = entry === "" ? cwd : isAbsolute(entry) ? entry : join(cwd, entry);
    const candidate = join(dir, file);
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `Cannot start "${file}": no such file or directory (ENOENT) in PATH ${searchPath}`,
  );
}
