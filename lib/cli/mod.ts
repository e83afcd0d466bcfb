/** Operator commands: each takes arguments and a context and returns `{exitCode, output}`. */
export { readPasswordLine } from "./auth_commands.ts";
export { blueprintCheckCommand, blueprintCommand } from "./blueprint_commands.ts";
export type { CommandResult } from "./blueprint_commands.ts";
export { commandHelp, overviewHelp, usageLine } from "./command_help.ts";
export { runCommand } from "./command_runner.ts";
export type { CliContext, CommandSpec } from "./command_spec.ts";
export { COMMAND_TABLE } from "./command_table.ts";
export { formatImportReport, importDbCommand } from "./import_commands.ts";
export type { ImportCommandContext } from "./import_commands.ts";
