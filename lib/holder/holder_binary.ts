import { dirname, join } from "node:path";

/** Environment variable naming the holder executable (the image sets it; source uses build/). */
export const HOLDER_BIN_VARIABLE = "AIKORE_HOLDER_BIN";

/** Where tools/build_native.ts puts the holder, relative to the repository root. */
export const HOLDER_BUILD_PATH = "build/native/aikore_holder";

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * The holder executable: $AIKORE_HOLDER_BIN, else build/native/aikore_holder of this source
 * tree, else aikore_holder beside the running executable (the image). Throws with the way to
 * build it when none exists.
 */
export function holderBinaryPath(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): string {
  const configured = env[HOLDER_BIN_VARIABLE];
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw new Error(`${HOLDER_BIN_VARIABLE}=${configured} is not an executable file`);
  }
  const candidates: string[] = [];
  const here = new URL(import.meta.url);
  if (here.protocol === "file:") {
    candidates.push(join(here.pathname, "../../..", HOLDER_BUILD_PATH));
  }
  candidates.push(join(dirname(Deno.execPath()), "aikore_holder"));
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new Error(
    `The instance holder is not built (looked at ${candidates.join(", ")}): run ` +
      "`deno run --allow-all tools/build_native.ts` (needs gcc) or set " + HOLDER_BIN_VARIABLE,
  );
}
