/**
 * `aikore instances start` on a GPU another running instance uses: the program warns on stderr,
 * naming the GPU and who uses it, and starts anyway (a script is told, never stopped). Real
 * program, real server, the fake NVML library.
 */
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { fakeNvml } from "../../tests/helpers/fake_nvml.ts";
import { runProgram, startApiServer } from "./test_support.ts";

Deno.test("instances start warns of a GPU another running instance uses, and starts", async () => {
  await using nvml = await fakeNvml({ gpuCount: 2, pids: [] });
  const server = await startApiServer({}, { AIKORE_NVML_LIBRARY: nvml.library });
  const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
  const cli = (args: string[]) => runProgram(args, { env });
  try {
    for (const [name, gpu] of [["trainer", "0"], ["painter", "0"], ["elsewhere", "1"]]) {
      const created = await server.api("POST", "/api/instances", {
        name,
        base_blueprint: "http_app.sh",
        gpu_ids: gpu,
      });
      assertEquals(created.status, 201);
    }
    const trainer = await cli(["instances", "start", "trainer"]);
    assertEquals([trainer.code, trainer.stderr.includes("warning")], [0, false], trainer.stderr);

    const painter = await cli(["instances", "start", "painter"]);
    assertEquals(painter.code, 0, painter.stderr);
    assertMatch(
      painter.stderr,
      /^warning: a busy GPU: GPU 0 \(.+\): \d+\.\d GB of 80\.0 GB in use, by "trainer"$/m,
    );
    assertMatch(painter.stdout, /^painter: started/);

    const elsewhere = await cli(["instances", "start", "elsewhere"]);
    assertEquals(elsewhere.stderr.includes("warning"), false, elsewhere.stderr);
  } finally {
    await server.close();
  }
});
