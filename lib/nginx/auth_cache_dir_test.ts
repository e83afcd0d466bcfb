import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { silentLogger } from "../log/mod.ts";
import { createAuthCacheDir } from "./auth_cache_dir.ts";

Deno.test("the auth answer cache folder is fresh and private, and the previous run's is removed", async () => {
  const home = await Deno.makeTempDir({ prefix: "aikore-cache-dir-" });
  const record = `${home}/auth_cache_dir`;
  try {
    const first = await createAuthCacheDir(record, silentLogger);
    assert(first !== null && first.includes("/aikore-nginx-auth-"), String(first));
    assertEquals(((await Deno.stat(first)).mode ?? 0) & 0o777, 0o700);
    assertEquals(await Deno.readTextFile(record), first);
    // A crashed run never removed it: the next start does.
    const second = await createAuthCacheDir(record, silentLogger);
    assert(second !== null && second !== first);
    assertEquals(await Deno.stat(first).then(() => true, () => false), false);
    await Deno.remove(second, { recursive: true });
    // A record that names anything else is never followed.
    const bystander = await Deno.makeTempDir({ prefix: "not-ours-" });
    await Deno.writeTextFile(record, bystander);
    const third = await createAuthCacheDir(record, silentLogger);
    assert((await Deno.stat(bystander)).isDirectory, "left alone");
    await Deno.remove(bystander);
    if (third) await Deno.remove(third, { recursive: true });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
