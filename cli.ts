/**
 * The operator's command line: every command is an entry of lib/cli's command table
 * (`aikore help` lists them; docs/USAGE.md has each one's `--help`).
 */
import type { Config } from "./lib/config/mod.ts";
import { type CliContext, COMMAND_TABLE, readPasswordLine, runCommand } from "./lib/cli/mod.ts";

async function writeAll(stream: typeof Deno.stdout, text: string): Promise<void> {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(await stream.write(bytes));
}

/**
 * Runs `aikore <command> <args…>` (anything but a plain `serve`) and returns the exit code.
 * `config` may be a getter so that help and API commands work without a valid configuration.
 */
export async function runCli(
  command: string,
  args: string[],
  config: Config | (() => Config),
): Promise<number> {
  const context: CliContext = {
    cwd: Deno.cwd(),
    env: Deno.env.toObject(),
    config: typeof config === "function" ? config : () => config,
    readPassword: readPasswordLine,
    write: (text) => writeAll(Deno.stdout, text),
    note: (text) => writeAll(Deno.stderr, text),
  };
  try {
    const result = await runCommand(COMMAND_TABLE, [command, ...args], context);
    if (result.output !== "") {
      const text = result.output.endsWith("\n") ? result.output : `${result.output}\n`;
      await writeAll(result.exitCode === 0 ? Deno.stdout : Deno.stderr, text);
    }
    return result.exitCode;
  } catch (error) {
    // The reader went away (`aikore instances logs x | head`): stop quietly, as cat does.
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    throw error;
  }
}
