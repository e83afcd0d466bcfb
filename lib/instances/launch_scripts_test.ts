import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { InstancePaths } from "./instance_paths.ts";
import { stageInstanceFolder, sweepUnfinishedCreates } from "./launch_scripts.ts";

const exists = (path: string) => {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

Deno.test("a staged folder appears under the slug only when published, complete with launch.sh", async () => {
  const paths = new InstancePaths(await Deno.makeTempDir({ prefix: "aikore-stage-" }));
  try {
    const staged = await stageInstanceFolder(paths, "app", "#!/bin/bash\necho hi\n");
    equal(exists(paths.instanceDir("app")), false, "nothing under the slug before publish");
    staged.publish();
    equal(Deno.readTextFileSync(paths.launchScript("app")), "#!/bin/bash\necho hi\n");
    equal((Deno.statSync(paths.launchScript("app")).mode ?? 0) & 0o777, 0o755);
    staged.acknowledge();
    deepEqual([...Deno.readDirSync(paths.instanceDir("app"))].map((e) => e.name), ["launch.sh"]);
    deepEqual([...Deno.readDirSync(paths.instancesRoot)].map((e) => e.name), ["app"]);
  } finally {
    await Deno.remove(paths.dataDir, { recursive: true });
  }
});

Deno.test("publish refuses an existing folder and discard leaves nothing behind", async () => {
  const paths = new InstancePaths(await Deno.makeTempDir({ prefix: "aikore-stage-" }));
  try {
    Deno.mkdirSync(paths.instanceDir("taken"), { recursive: true });
    const staged = await stageInstanceFolder(paths, "taken", "x");
    let refused = false;
    try {
      staged.publish();
    } catch (error) {
      refused = error instanceof Error && /already exists/.test(error.message);
    }
    ok(refused, "publish refused the existing folder");
    await staged.discard();
    deepEqual([...Deno.readDirSync(paths.instancesRoot)].map((e) => e.name), ["taken"]);
    await rejects(() => stageInstanceFolder(new InstancePaths("/proc/1/nope"), "a", "x"));
  } finally {
    await Deno.remove(paths.dataDir, { recursive: true });
  }
});

Deno.test("the boot sweep removes staging and uncommitted folders, keeps committed and user folders", async () => {
  const paths = new InstancePaths(await Deno.makeTempDir({ prefix: "aikore-stage-" }));
  try {
    await stageInstanceFolder(paths, "never-published", "x"); // crash before the transaction
    (await stageInstanceFolder(paths, "rolled-back", "x")).publish(); // crash before the commit
    (await stageInstanceFolder(paths, "committed", "x")).publish(); // crash before the ack
    const done = await stageInstanceFolder(paths, "done", "x");
    done.publish();
    done.acknowledge();
    Deno.mkdirSync(paths.instanceDir("older"), { recursive: true });
    const rows = new Set(["committed", "done", "older"]);
    const removed = sweepUnfinishedCreates(paths, (slug) => rows.has(slug));
    equal(removed.length, 2);
    ok(removed.includes("rolled-back"));
    ok(removed.some((name) => name.startsWith(".creating-")));
    deepEqual(
      [...Deno.readDirSync(paths.instancesRoot)].map((e) => e.name).sort(),
      ["committed", "done", "older"],
    );
    deepEqual([...Deno.readDirSync(paths.instanceDir("committed"))].map((e) => e.name), [
      "launch.sh",
    ]);
    deepEqual(sweepUnfinishedCreates(paths, (slug) => rows.has(slug)), []);
  } finally {
    await Deno.remove(paths.dataDir, { recursive: true });
  }
});
