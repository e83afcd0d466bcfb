/** Something that says whether a path exists (injectable so backend choice is testable). */
export type PathProbe = (path: string) => boolean;

/** True when `path` exists (file, folder or symlink target). */
export const pathExists: PathProbe = (path) => {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
};

/** Absolute path of `name` in the `PATH` folders, or null. */
export function findProgram(
  name: string,
  searchPath: string,
  exists: PathProbe = pathExists,
): string | null {
  for (const dir of searchPath.split(":")) {
    if (!dir.startsWith("/")) continue;
    const candidate = `${dir.replace(/\/+$/, "")}/${name}`;
    if (exists(candidate)) return candidate;
  }
  return null;
}
