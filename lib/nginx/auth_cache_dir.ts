import type { Logger } from "../log/mod.ts";
import { configPathProblem } from "./nginx_paths.ts";

const SHM = "/dev/shm";

/**
 * A fresh private folder for nginx's cache of check answers, or null (the cache stays off and
 * AiKore is asked on every request). Outside the data dir on purpose: under a root master the
 * workers run as `nobody` and cannot reach a private data dir; nginx itself hands the folder
 * to them. Made like mkdtemp (new name, mode 0700), so nobody else can have planted it; in
 * shared memory when there is one (the entries live under a second, no disk writes needed).
 */
export async function createAuthCacheDir(log: Logger): Promise<string | null> {
  const shm = await Deno.stat(SHM).then((info) => info.isDirectory, () => false);
  try {
    const dir = await Deno.makeTempDir({
      prefix: "aikore-nginx-auth-",
      ...(shm ? { dir: SHM } : {}),
    });
    if (configPathProblem(dir) === null) return dir;
    await Deno.remove(dir, { recursive: true });
    log.warn("auth answer cache off: its folder cannot be named in the config", { dir });
  } catch (error) {
    log.warn("auth answer cache off: no folder for it", { error: String(error) });
  }
  return null;
}
