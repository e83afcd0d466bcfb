/** Operator commands: each takes arguments and a context and returns `{exitCode, output}`. */
export { blueprintCheckCommand, blueprintCommand } from "./blueprint_commands.ts";
export type { CommandResult } from "./blueprint_commands.ts";
export { formatImportReport, importDbCommand } from "./import_commands.ts";
export type { ImportCommandContext } from "./import_commands.ts";
