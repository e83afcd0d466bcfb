/**
 * A log swapped back and forth between a file and a link while AiKore reads it: a check of the
 * path followed by a plain open would, now and then, open the link. Every read must go through
 * the confined open, which refuses the link at the moment of opening.
 */
import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { startHarness } from "../../tests/helpers/harness.ts";

const SECRET = "TOP-SECRET-CANARY";
/** Swaps `output.log` between a regular file and a link to the secret, as fast as it can. */
const SWAPPER = `
import os, sys
logs, secret = sys.argv[1], sys.argv[2]
sys.stdout.write("swapping\\n"); sys.stdout.flush()
while True:
    with open(os.path.join(logs, "file.tmp"), "w") as f:
        f.write("ordinary line\\n")
    os.rename(os.path.join(logs, "file.tmp"), os.path.join(logs, "output.log"))
    os.symlink(secret, os.path.join(logs, "link.tmp"))
    os.rename(os.path.join(logs, "link.tmp"), os.path.join(logs, "output.log"))
`;

Deno.test("a log swapped with a link while it is read never leaks the link's target", async () => {
  const h = await startHarness();
  const outside = await Deno.makeTempDir({ prefix: "aikore-outside-" });
  let swapper: Deno.ChildProcess | null = null;
  try {
    await Deno.writeTextFile(`${outside}/secret.txt`, `${SECRET}\n`);
    const created = await h.json("POST", "/api/instances", {
      name: "victim",
      base_blueprint: "http_app.sh",
    });
    assertEquals(created.status, 201);
    const id = created.body.id as number;
    const logs = h.services.paths.logsDir(created.body.slug);
    await Deno.mkdir(logs, { recursive: true });
    await Deno.writeTextFile(`${logs}/output.log`, "ordinary line\n");
    swapper = new Deno.Command("python3", {
      args: ["-c", SWAPPER, logs, `${outside}/secret.txt`],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = swapper.stdout.getReader();
    await reader.read(); // "swapping": the loop runs
    reader.releaseLock();
    const routes = [
      `/api/instances/${id}/logs?offset=0`,
      `/api/instances/${id}/logs/download`,
      `/api/instances/${id}/runs/0/log`,
    ];
    const seen = new Map<string, Set<number>>(routes.map((route) => [route, new Set()]));
    const metBothSides = () =>
      [...seen.values()].every((statuses) =>
        statuses.has(200) && [...statuses].some((status) => status !== 200)
      );
    // At least MIN_ROUNDS reads per route, and on until every route has met both sides of the
    // swap: on a busy 2-core machine the swapper may sit on one side for many reads in a row.
    const MIN_ROUNDS = 150;
    const deadline = Date.now() + 60_000;
    for (let round = 0; round < MIN_ROUNDS || (!metBothSides() && Date.now() < deadline); round++) {
      for (const route of routes) {
        const response = await h.request("GET", route);
        const text = await response.text();
        seen.get(route)?.add(response.status);
        assert(!text.includes(SECRET), `${route} leaked the link's target: ${text}`);
      }
    }
    // Both sides of the swap were met: some reads found the file, some the link (refused).
    for (const [route, statuses] of seen) {
      assert(statuses.has(200), `${route} never found the file: ${[...statuses]}`);
      assert([...statuses].some((status) => status !== 200), `${route} never met the link`);
    }
  } finally {
    if (swapper) {
      swapper.kill("SIGKILL");
      await swapper.status;
      await swapper.stdout.cancel().catch(() => {});
    }
    await h.close();
    await Deno.remove(outside, { recursive: true });
  }
});
