/** `aikore instances logs --plain` through the real program against a real AiKore. */
import { assertEquals } from "../../tests/helpers/assert.ts";
import { runProgram, startApiServer } from "./test_support.ts";
import { waitForStatus } from "./wait_for_status.ts";
import { ApiClient } from "./api_client.ts";

Deno.test("instances logs --plain prints what the terminal showed; --tail counts those lines", async () => {
  const server = await startApiServer();
  try {
    const { id } = await server.create("talker", "say_fifo.sh");
    assertEquals((await server.api("POST", `/api/instances/${id}/start`)).status, 200);
    const client = new ApiClient(server.url, server.token);
    await waitForStatus(client, id, new Set(["started"]), { timeoutMs: 30_000 });
    const fifo = `${server.dataDir}/instances/talker/say`;
    await Deno.writeTextFile(fifo, "\x1b[1mbold\x1b[0m 10%\r\x1b[Kall done\n");
    let offset = 0;
    let logged = "";
    while (!logged.includes("all done")) {
      const chunk = (await server.api("GET", `/api/instances/${id}/logs?offset=${offset}&wait=30`))
        .body as { content: string; size: number };
      logged += chunk.content;
      offset = chunk.size;
    }
    const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
    const raw = await runProgram(["instances", "logs", "talker"], { env });
    assertEquals(raw.code, 0, raw.stderr);
    assertEquals(raw.stdout.includes("\x1b[1mbold"), true, "as logged by default");
    const plain = await runProgram(["instances", "logs", "talker", "--plain"], { env });
    assertEquals(plain.code, 0, plain.stderr);
    const lines = plain.stdout.split("\n");
    assertEquals(lines.at(-2), "all done", plain.stdout);
    assertEquals(lines.at(-1), "", "ends with a newline");
    assertEquals(plain.stdout.includes("\x1b"), false);
    const tail = await runProgram(["instances", "logs", "talker", "--plain", "--tail", "1"], {
      env,
    });
    assertEquals(tail.stdout, "all done\n");
  } finally {
    await server.close();
  }
});
