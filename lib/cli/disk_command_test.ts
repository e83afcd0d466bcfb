/**
 * `aikore disk` through the real program against a real server: it measures the server's data
 * folder now (the real `du`) and prints the folders, named, largest first.
 */
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { runProgram, startApiServer } from "./test_support.ts";

Deno.test("disk measures now and prints each folder with its size, share and owner; --json the tree; a bad --depth is a usage error", async () => {
  const server = await startApiServer();
  const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
  const cli = (args: string[]) => runProgram(args, { env });
  try {
    await server.create("trainer", "http_app.sh");
    const envDir = `${server.dataDir}/instances/trainer/env`;
    await Deno.mkdir(envDir, { recursive: true });
    const data = new Uint8Array(2 * 1048576);
    for (let at = 0; at < data.length; at += 65536) {
      crypto.getRandomValues(data.subarray(at, at + 65536));
    }
    await Deno.writeFile(`${envDir}/torch.so`, data);

    const printed = await cli(["disk"]);
    assertEquals(printed.code, 0, printed.stderr);
    const lines = printed.stdout.trimEnd().split("\n");
    assertMatch(
      lines[0] ?? "",
      /^data disk: .+ used of .+, .+ free; the data folder holds \d+\.\d MB/,
    );
    assertMatch(lines[1] ?? "", /^FOLDER\s+SIZE\s+SHARE\s+WHAT IT IS$/);
    assertMatch(lines[2] ?? "", /^instances\s+2\.\d MB\s+\d+\.\d%\s+instances: apps, environments/);
    assertMatch(printed.stdout, /\n {2}trainer\s+2\.\d MB\s+\d+\.\d%\s+instance "trainer"\n/);
    assert(!/\n {4}env /.test(printed.stdout), "depth 2 by default");

    const deeper = await cli(["disk", "--depth", "3"]);
    assertMatch(
      deeper.stdout,
      /\n {4}env\s+2\.\d MB\s+\d+\.\d%\s+its environment \(venv or conda\)/,
    );

    const json = JSON.parse((await cli(["disk", "--json"])).stdout);
    assertEquals(json.state, "done");
    assertEquals(json.root.folders[0].name, "instances");

    const bad = await cli(["disk", "--depth", "9"]);
    assertEquals(bad.code, 2);
    assertMatch(bad.stderr, /--depth must be 1 to 3, not "9"/);
  } finally {
    await server.close();
  }
});
