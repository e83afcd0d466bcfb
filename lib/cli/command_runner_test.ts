import { assertEquals, assertMatch } from "../../tests/helpers/assert.ts";
import { ConfigError } from "../config/mod.ts";
import type { CliContext, CommandSpec } from "./command_spec.ts";
import { runCommand } from "./command_runner.ts";

const seen: string[][] = [];
const TABLE: CommandSpec[] = [
  {
    words: ["echo"],
    section: "Test",
    args: ["WORD", "MORE?"],
    flags: [{ name: "upper", help: "shout" }, { name: "times", value: "N", help: "repeat" }],
    summary: "Print a word.",
    details: [],
    run: (args) => {
      seen.push([...args.positionals, ...[...args.flags].map(([k, v]) => `${k}=${v}`)]);
      return Promise.resolve({ exitCode: 0, output: "done" });
    },
  },
  {
    words: ["admin"],
    section: "Test",
    args: [],
    flags: [],
    summary: "Needs the configuration.",
    details: [],
    run: (_args, context) => Promise.resolve({ exitCode: 0, output: context.config().dataDir }),
  },
];

const context: CliContext = {
  cwd: "/",
  env: {},
  config: () => {
    throw new ConfigError("AIKORE_LISTEN", '"x" is not host:port');
  },
  readPassword: () => Promise.resolve(null),
  write: () => Promise.resolve(),
  note: () => Promise.resolve(),
};

Deno.test("flags take values as --flag V or --flag=V; after -- everything is positional", async () => {
  seen.length = 0;
  await runCommand(TABLE, ["echo", "a", "--times", "3", "--upper"], context);
  await runCommand(TABLE, ["echo", "--times=2", "--", "--upper", "b"], context);
  assertEquals(seen, [["a", "times=3", "upper="], ["--upper", "b", "times=2"]]);
  const tooMany = await runCommand(TABLE, ["echo", "a", "b", "c"], context);
  assertEquals(tooMany.exitCode, 2);
  assertMatch(
    tooMany.output,
    /^aikore echo: unexpected argument "c"\nusage: aikore echo WORD \[MORE\] \[--upper\] \[--times N\]\n/,
  );
  // --help after -- is an argument, not a request for help.
  seen.length = 0;
  assertEquals((await runCommand(TABLE, ["echo", "--", "--help"], context)).exitCode, 0);
  assertEquals(seen, [["--help"]]);
});

Deno.test("a bad configuration met by a command is exit 2 naming the variable", async () => {
  assertEquals(await runCommand(TABLE, ["admin"], context), {
    exitCode: 2,
    output: 'aikore admin: bad configuration: AIKORE_LISTEN: "x" is not host:port',
  });
  assertEquals((await runCommand(TABLE, ["admin", "--help"], context)).exitCode, 0);
});
