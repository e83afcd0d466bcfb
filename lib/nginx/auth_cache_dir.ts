import type { Logger } from "../log/mod.ts";
import { configPathProblem } from "./nginx_paths.ts";

const PREFIX = "aikore-nginx-auth-";
const NAME_RE = new RegExp(`^/[A-Za-z0-9/._-]*/${PREFIX}[A-Za-z0-9_]+$`);

async function makeDir(parent: string | undefined): Promise<string | null> {
  try {
    return await Deno.makeTempDir({ prefix: PREFIX, ...(parent ? { dir: parent } : {}) });
  } catch {
    return null;
  }
}

/**
 * A fresh private folder for nginx's cache of check answers, or null (the cache stays off and
 * AiKore is asked on every request). Outside the data dir on purpose: under a root master the
 * workers run as `nobody` and cannot reach a private data dir; nginx itself hands the folder
 * to them. Made like mkdtemp (new name, mode 0700), so nobody else can have planted it; in
 * shared memory when there is one (entries live under a second). Its path is noted in
 * `record`, so the next start removes a folder a crashed run left behind.
 */
export async function createAuthCacheDir(record: string, log: Logger): Promise<string | null> {
  const previous = (await Deno.readTextFile(record).catch(() => "")).trim();
  if (NAME_RE.test(previous)) await Deno.remove(previous, { recursive: true }).catch(() => {});
  const dir = (await makeDir("/dev/shm")) ?? (await makeDir(undefined));
  if (dir === null) {
    log.warn("auth answer cache off: no folder for it could be made");
    return null;
  }
  if (configPathProblem(dir) !== null) {
    await Deno.remove(dir, { recursive: true });
    log.warn("auth answer cache off: its folder cannot be named in the config", { dir });
    return null;
  }
  await Deno.writeTextFile(record, dir).catch((error) =>
    log.warn("could not note the auth answer cache folder", { record, error: String(error) })
  );
  return dir;
}
