import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { freePorts } from "../../tests/helpers/free_ports.ts";
import { parseBlueprintMetadata } from "./parse_blueprint_metadata.ts";

const EMPTY = new URL("../../blueprints/empty.sh", import.meta.url).pathname;

const freePort = () => freePorts(1)[0] ?? 0;

async function fetchUntilUp(url: string, deadlineMs: number): Promise<Response> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

Deno.test("empty.sh declares valid metadata", () => {
  const meta = parseBlueprintMetadata(Deno.readTextFileSync(EMPTY), "empty.sh");
  assertEquals([meta.name, meta.venvType, meta.health, meta.startTimeoutSec], [
    "Empty",
    "none",
    { kind: "http", path: "/" },
    30,
  ]);
});

Deno.test("empty.sh prints its environment and serves an escaped page on 127.0.0.1:$WEBUI_PORT", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-empty-" });
  const port = freePort();
  const child = new Deno.Command("bash", {
    args: [EMPTY],
    cwd: dir,
    env: {
      WEBUI_PORT: String(port),
      INSTANCE_NAME: `<b>"Mine" & co's</b>`,
      INSTANCE_CONF_DIR: dir,
    },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    try {
      const response = await fetchUntilUp(`http://127.0.0.1:${port}/`, 10_000);
      const page = await response.text();
      assertEquals(response.status, 200);
      assert(page.includes("&lt;b&gt;&quot;Mine&quot; &amp; co&#39;s&lt;/b&gt;"), page);
      assert(!page.includes("<b>"), page);
    } finally {
      try {
        child.kill("SIGTERM");
      } catch { /* it already exited; output() below still collects it */ }
    }
    const output = new TextDecoder().decode((await child.output()).stdout);
    assertMatch(output, new RegExp(`WEBUI_PORT\\s+${port}`));
    assertMatch(output, /INSTANCE_SLUG\s+\(unset\)/);
    assert(Deno.statSync(join(dir, "empty-www/index.html")).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("empty.sh refuses to run without WEBUI_PORT", async () => {
  const result = await new Deno.Command("bash", {
    args: [EMPTY],
    env: {},
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(result.code, 1);
  assertMatch(new TextDecoder().decode(result.stderr), /WEBUI_PORT is not set/);
});
