import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { spawnHolder } from "./mod.ts";
import { holderBinary, holderTest, isAlive, until } from "./test_support.ts";

/** base64 of 30,000 zero bytes: 40,000 characters in 76-column lines, "\r\n" after each. */
const OUTPUT = 40_000 + Math.ceil(40_000 / 76) * 2;

holderTest(
  "a logs folder swapped for a link during the run: rotation and reopening stay in the real folder",
  async (t) => {
    const plan = await t.plan([
      "bash",
      "-c",
      'while [ ! -e "$HOME/go" ]; do sleep 0.02; done; head -c 30000 /dev/zero | base64; sleep 60',
    ], { logMaxBytes: 8192, logKeep: 2 });
    const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
    const handle = await spawnHolder(plan, { binary: await holderBinary() });
    try {
      const logs = plan.logPath.slice(0, plan.logPath.lastIndexOf("/"));
      // The app's move: the real folder aside, a link to somewhere else in its place.
      await Deno.rename(logs, `${logs}.real`);
      await Deno.symlink(outside, logs);
      await Deno.writeTextFile(`${plan.cwd}/go`, "");
      const control = await handle.connect();
      let status = await control.status();
      while (status.head < OUTPUT) status = await control.status();
      // The log catches up at most one batch delay after the output.
      await until(() => {
        const real = [...Deno.readDirSync(`${logs}.real`)].map((entry) => entry.name);
        const sizes = real.map((name) => Deno.statSync(`${logs}.real/${name}`).size);
        return real.length === 3 && sizes.reduce((a, b) => a + b, 0) >= 8192 * 2;
      }, "the rotated logs in the real folder");
      assertEquals([...Deno.readDirSync(outside)], [], "nothing is written through the link");
      assertEquals(status.logDroppedBytes, 0);
      const names = [...Deno.readDirSync(`${logs}.real`)].map((entry) => entry.name).sort();
      assertEquals(names, ["output.log", "output.log.1", "output.log.2"]);
      assert(Deno.statSync(`${logs}.real/output.log.1`).size === 8192, "full rotated files");
      await control.signal("SIGKILL", "session");
      control.close();
      await until(() => !isAlive(handle.holderPid), "the holder exits");
    } finally {
      if (isAlive(handle.holderPid)) Deno.kill(handle.holderPid, "SIGKILL");
      await Deno.remove(outside, { recursive: true });
      await Deno.remove(plan.logPath.slice(0, plan.logPath.lastIndexOf("/"))).catch(() => {});
    }
  },
);
