import type { Config } from "../config/mod.ts";
import type { ReadPassword } from "./auth_commands.ts";
import type { CommandResult } from "./blueprint_commands.ts";

/** One `--flag` of a command: a switch, or one taking a value (`--tail N`, `--tail=N`). */
export interface FlagSpec {
  name: string;
  /** The value's placeholder (e.g. "N"); absent for a switch. */
  value?: string;
  help: string;
}

/** The arguments of one call, checked against its command's spec. */
export interface ParsedArgs {
  positionals: string[];
  /** Switches map to "" when given; flags with a value to the last value given. */
  flags: Map<string, string>;
  /** The arguments exactly as typed after the command words. */
  raw: string[];
}

/** What a command may use from the outside world; tests pass their own. */
export interface CliContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The resolved configuration; throws ConfigError, so only admin commands ask for it. */
  config: () => Config;
  readPassword: ReadPassword;
  /** Writes to stdout as the command goes (for streamed output such as `logs --follow`). */
  write: (text: string) => Promise<void>;
  /** Writes progress to stderr (never mixed into stdout, which scripts read). */
  note: (text: string) => Promise<void>;
}

/** One entry of the command table. */
export interface CommandSpec {
  /** Command words, e.g. ["instances", "ls"]. */
  words: string[];
  /** The heading it is listed under in `aikore help`. */
  section: string;
  /** Positional arguments as shown in usage, e.g. ["NAME"]; a trailing "?" marks one optional. */
  args: string[];
  flags: FlagSpec[];
  summary: string;
  /** More lines for `--help` (what it does, exit codes, environment). */
  details: string[];
  run(parsed: ParsedArgs, context: CliContext): Promise<CommandResult>;
}
