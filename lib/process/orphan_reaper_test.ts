import { deepEqual, equal } from "node:assert/strict";

const PARENT = new URL("./testdata/orphan_reaper_parent.ts", import.meta.url).pathname;

Deno.test("a subreaper reaps its orphans' zombies on the second sight, and leaves Deno's children to Deno", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PARENT],
    stdout: "piped",
    stderr: "piped",
  }).output();
  equal(code, 0, new TextDecoder().decode(stderr));
  deepEqual(JSON.parse(new TextDecoder().decode(stdout)), {
    subreaper: true,
    adopted: true,
    zombie: true,
    afterOne: true,
    gone: true,
    reaped: 1,
    own: 0,
  });
});
