import { equal, ok, throws } from "node:assert/strict";
import { DataDirLockedError, lockDataDir } from "./data_dir_lock.ts";

Deno.test("the data dir lock is exclusive, names its holder, and is free again after release", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-lock-" });
  try {
    const lock = lockDataDir(dir);
    equal(Deno.readTextFileSync(lock.path).split(" ")[0], String(Deno.pid));
    throws(() => lockDataDir(dir), (refused: unknown) => {
      ok(refused instanceof DataDirLockedError);
      equal(refused.holderPid, Deno.pid);
      ok(refused.message.includes(`another AiKore (pid ${Deno.pid})`), refused.message);
      return true;
    });
    lock.release();
    lockDataDir(dir).release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock file left by a dead holder does not block: it is taken over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-lock-" });
  try {
    Deno.writeTextFileSync(`${dir}/aikore.lock`, "999999 12345\n");
    const lock = lockDataDir(dir);
    equal(Deno.readTextFileSync(lock.path).split(" ")[0], String(Deno.pid));
    lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
