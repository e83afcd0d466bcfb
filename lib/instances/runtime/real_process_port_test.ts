import { assert, assertEquals } from "../../../tests/helpers/assert.ts";
import { holderBinaryPath } from "../../holder/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type { InstanceLaunchPlan } from "../launch_plan.ts";
import { realProcessPort } from "./real_process_port.ts";

function plan(dir: string, marker: string): InstanceLaunchPlan {
  return {
    argv: ["bash", "-c", "echo ready; exec sleep 30"],
    env: { PATH: "/usr/bin:/bin" },
    cwd: dir,
    logPath: `${dir}/logs/output.log`,
    marker,
    ensureDirs: [],
    health: { kind: "process" },
    startTimeoutMs: 5000,
    stepFile: { root: dir, path: `${dir}/.aikore-step` },
  };
}

Deno.test("real process port: held when the socket path fits, inside AiKore when it does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-port-" });
  const marker = `${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}.7`;
  const logger = silentLogger;
  try {
    const binary = holderBinaryPath();
    const held = realProcessPort(logger, 500, dir, { binary, runtimeRoot: `${dir}/run` });
    const near = await held.spawn(plan(dir, marker));
    assert(near.holder !== null, "a short runtime folder gets a holder");
    assertEquals(near.holder.dir, `${dir}/run/7`);
    await held.stopTree(near, marker, 1000);
    assertEquals((await near.exited).signal !== null || (await near.exited).code !== null, true);
    await held.release(near);

    const long = realProcessPort(logger, 500, dir, {
      binary,
      runtimeRoot: `${dir}/${"x".repeat(110)}`,
    });
    const far = await long.spawn(plan(dir, marker));
    assertEquals(far.holder, null, "a socket path over 107 bytes: the app runs inside AiKore");
    await long.stopTree(far, marker, 1000);
    await long.release(far);
    assertEquals(held.findMarked(marker), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
