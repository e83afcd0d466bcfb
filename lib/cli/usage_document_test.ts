import { assert, assertEquals } from "../../tests/helpers/assert.ts";
import { COMMAND_TABLE } from "./command_table.ts";
import { usageDocument } from "./usage_document.ts";

const ROOT = new URL("../../", import.meta.url);
const USAGE_PATH = new URL("docs/USAGE.md", ROOT);

Deno.test("docs/USAGE.md is exactly the --help text of every command of the table", async () => {
  const expected = usageDocument(COMMAND_TABLE);
  if (Deno.env.get("UPDATE_USAGE") === "1") await Deno.writeTextFile(USAGE_PATH, expected);
  const actual = await Deno.readTextFile(USAGE_PATH);
  assertEquals(
    actual,
    expected,
    "docs/USAGE.md is stale: UPDATE_USAGE=1 deno test --allow-all lib/cli/usage_document_test.ts",
  );
});

Deno.test("README's Command line section names every command of the table and points to USAGE", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const start = readme.indexOf("\n## Command line\n");
  assert(start !== -1, "README has a Command line section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  for (const spec of COMMAND_TABLE) {
    const name = [...spec.words, ...spec.args.filter((a) => !a.endsWith("?"))].join(" ");
    assert(section.includes(`\`${name}`), `README's Command line section lacks \`${name}\``);
  }
  assert(section.includes("docs/USAGE.md"), "README points to docs/USAGE.md");
});
