import { ConfigError } from "../config/mod.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import { commandHelp, groupHelp, overviewHelp, usageLine } from "./command_help.ts";
import type { CliContext, CommandSpec } from "./command_spec.ts";
import { parseArgs } from "./parse_args.ts";

const HELP_FLAGS = new Set(["--help", "-h"]);

/** The command whose words start `argv` (longest match first), and the rest of argv. */
function findCommand(
  table: readonly CommandSpec[],
  argv: readonly string[],
): { spec: CommandSpec; rest: string[] } | null {
  const matches = table.filter((s) => s.words.every((w, i) => argv[i] === w));
  const spec = matches.sort((a, b) => b.words.length - a.words.length)[0];
  return spec ? { spec, rest: argv.slice(spec.words.length) } : null;
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((a) => HELP_FLAGS.has(a));
}

function misuse(problem: string, hint: string): CommandResult {
  return { exitCode: 2, output: `${problem}\n${hint}` };
}

/** `help`, `help COMMAND…`, `--help`. */
function help(table: readonly CommandSpec[], words: readonly string[]): CommandResult {
  if (words.length === 0) return { exitCode: 0, output: overviewHelp(table) };
  const found = findCommand(table, words);
  if (found && found.rest.length === 0) return { exitCode: 0, output: commandHelp(found.spec) };
  if (words.length === 1 && table.some((s) => s.words[0] === words[0])) {
    return { exitCode: 0, output: groupHelp(table, words[0] as string) };
  }
  return misuse(`aikore: no command "${words.join(" ")}"`, 'Run "aikore help" for the list.');
}

/**
 * Runs `argv` (what follows the program name) against the command table: help, usage errors
 * (exit 2, with the usage line), or the command itself.
 */
export async function runCommand(
  table: readonly CommandSpec[],
  argv: readonly string[],
  context: CliContext,
): Promise<CommandResult> {
  const [first] = argv;
  if (first === "help") return help(table, argv.slice(1));
  if (first === undefined || HELP_FLAGS.has(first)) return help(table, []);
  const found = findCommand(table, argv);
  if (!found) {
    if (table.some((s) => s.words[0] === first && s.words.length > 1)) {
      const sub = argv[1];
      if (sub !== undefined && HELP_FLAGS.has(sub)) return help(table, [first]);
      const problem = sub === undefined
        ? `aikore ${first}: which one?`
        : `aikore ${first}: no command "${sub}"`;
      return { exitCode: 2, output: `${problem}\n${groupHelp(table, first)}` };
    }
    return misuse(`aikore: unknown command "${first}"`, 'Run "aikore help" for the list.');
  }
  const { spec, rest } = found;
  const name = `aikore ${spec.words.join(" ")}`;
  if (wantsHelp(rest)) return { exitCode: 0, output: commandHelp(spec) };
  const parsed = parseArgs(spec, rest);
  if (!parsed.ok) {
    return misuse(
      `${name}: ${parsed.problem}`,
      `usage: ${usageLine(spec)}\nRun "${name} --help" for details.`,
    );
  }
  try {
    return await spec.run(parsed.args, context);
  } catch (error) {
    if (error instanceof ConfigError) {
      return { exitCode: 2, output: `${name}: bad configuration: ${error.message}` };
    }
    throw error;
  }
}
