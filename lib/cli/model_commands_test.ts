/**
 * `aikore models download|downloads` through the real program (a child `deno run main.ts`)
 * against a real AiKore server and a real file server.
 */
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { payloadOf, serveFile } from "../downloads/test_support.ts";
import { runProgram, startApiServer } from "./test_support.ts";

Deno.test("models download --wait follows a download to its end; models downloads lists it; the token comes from the environment", async () => {
  const server = await startApiServer();
  const files = serveFile(payloadOf(2 * 1024 * 1024));
  const env = { AIKORE_URL: server.url, AIKORE_TOKEN: server.token };
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runProgram(["models", ...args], { env: { ...env, ...extra } });
  try {
    await Deno.mkdir(`${server.dataDir}/models/vae`, { recursive: true });
    const none = await cli(["downloads"]);
    assertEquals([none.code, none.stdout.trim()], [0, "No downloads."]);

    const done = await cli(
      ["download", `${files.url}/sdxl_vae.safetensors`, "--folder", "vae", "--wait"],
      { AIKORE_MODEL_TOKEN: "hf_from_env" },
    );
    assertEquals(done.code, 0, done.stderr);
    assertEquals(done.stdout.trim(), "1 sdxl_vae.safetensors → models/vae: done, 2.0 MB of 2.0 MB");
    assertEquals(
      await Deno.readFile(`${server.dataDir}/models/vae/sdxl_vae.safetensors`),
      files.payload,
    );
    assertEquals(files.requests.map((r) => r.authorization), ["Bearer hf_from_env"]);

    files.behaviour.status = 404;
    const failed = await cli(["download", `${files.url}/gone.bin`, "--wait"]);
    assertEquals(failed.code, 1, failed.stderr);
    // Progress notes come first when the server takes a moment to answer (a loaded machine).
    const told = failed.stderr.trim().split("\n");
    assertMatch(
      told.at(-1) ?? "",
      new RegExp(
        `^2 ${files.url}/gone\\.bin → models: failed, 0 B: the server answered 404 Not Found$`,
      ),
    );
    for (const note of told.slice(0, -1)) assertMatch(note, /^(queued|downloading), /);

    const list = await cli(["downloads"]);
    assertEquals(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split("\n");
    assertMatch(lines[0] ?? "", /^ID\s+STATUS\s+PROGRESS\s+FOLDER\s+NAME$/);
    assertMatch(
      lines[1] ?? "",
      /^2\s+failed\s+0 B: the server answered 404 Not Found\s+\.\s+http:\/\/127\.0\.0\.1:\d+\/gone\.bin$/,
    );
    assertMatch(lines[2] ?? "", /^1\s+done\s+2\.0 MB of 2\.0 MB\s+vae\s+sdxl_vae\.safetensors$/);
    const json = await cli(["downloads", "--json"]);
    assertEquals(JSON.parse(json.stdout).map((d: { id: number }) => d.id), [2, 1]);

    const refused = await cli(["download", "ftp://example.com/x.bin"]);
    assertEquals(refused.code, 1);
    assertMatch(refused.stderr, /url: must be an http:\/\/ or https:\/\/ address/);
  } finally {
    await files.close();
    await server.close();
  }
});
