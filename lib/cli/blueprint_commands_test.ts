import { join } from "node:path";
import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { blueprintCheckCommand, blueprintCommand } from "./blueprint_commands.ts";

const META = new URL("../../tests/fixtures/blueprint_meta/", import.meta.url).pathname;
const cwd = META;

Deno.test("blueprint check prints every parsed field of a valid blueprint", async () => {
  const result = await blueprintCheckCommand(["good_full.sh"], { cwd });
  assertEquals(result.exitCode, 0, result.output);
  assertEquals(result.output.split("\n"), [
    "good_full.sh: metadata OK",
    "  name                    Full Example",
    "  category                Image Generation",
    "  description             Every known key, plus one AiKore does not know.",
    "  venv_type               python",
    "  venv_path               ./venvs/main",
    "  persistent_mode         true",
    "  health                  log:Running on (local|public) URL",
    "  start_timeout           600 s",
    "  proxy                   port",
    "  homepage (unknown key)  https://example.invalid/app",
  ]);
});

Deno.test("blueprint check says when defaults apply and accepts the stock empty.sh", async () => {
  const defaults = await blueprintCheckCommand([join(META, "good_defaults.sh")], { cwd: "/" });
  assertEquals(defaults.exitCode, 0);
  assertMatch(defaults.output, /no metadata block: every default applies/);
  const empty = await blueprintCommand(["check", "../../blueprints/empty.sh"], {
    cwd: join(META, ".."),
  });
  assertEquals(empty.exitCode, 0, empty.output);
  assertMatch(empty.output, /name\s+Empty/);
});

Deno.test("blueprint check fails with the line number of a malformed block", async () => {
  const result = await blueprintCheckCommand(["bad_duplicate_key.sh"], { cwd });
  assertEquals(result, {
    exitCode: 1,
    output: `bad_duplicate_key.sh, line 4: duplicate key "name" (first set on line 2)`,
  });
});

Deno.test("blueprint check fails on a bash syntax error and on a missing file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aikore-check-" });
  try {
    await Deno.writeTextFile(join(dir, "broken.sh"), "#!/bin/bash\nif true; then\necho unclosed\n");
    const broken = await blueprintCheckCommand(["broken.sh"], { cwd: dir });
    assertEquals(broken.exitCode, 1);
    assertMatch(broken.output, /broken\.sh: bash syntax error:\n.*syntax error/);
    const missing = await blueprintCheckCommand(["nope.sh"], { cwd: dir });
    assertEquals(missing.exitCode, 1);
    assertMatch(missing.output, /^cannot read .*nope\.sh: No such file/);
    await Deno.writeTextFile(join(dir, "with space.sh"), "echo ok\n");
    const odd = await blueprintCheckCommand(["with space.sh"], { cwd: dir });
    assertEquals(odd.exitCode, 0);
    assertMatch(
      odd.output,
      /note: "with space\.sh" cannot be saved as a blueprint under this name/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("blueprint commands print usage for wrong arguments", async () => {
  for (const args of [[], ["a.sh", "b.sh"], ["--help"]]) {
    assertEquals((await blueprintCheckCommand(args, { cwd })).exitCode, 2);
  }
  assertEquals(await blueprintCommand(["lint", "x.sh"], { cwd }), {
    exitCode: 2,
    output: "usage: aikore blueprint check FILE",
  });
});
