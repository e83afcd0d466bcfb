/**
 * The operator's command line: admin commands that work on the data dir directly, and
 * `instances …` commands that talk to a running AiKore through its API with a token.
 */
import type { Config } from "./lib/config/mod.ts";
import { blueprintCommand, type CommandResult, importDbCommand } from "./lib/cli/mod.ts";

const USAGE = `Usage: aikore <command>

  serve                                   run the server (default)
  import-db FILE [--accept-proposed-slugs] [--dry-run] [--merge]
                                          import a Python-AiKore database
  hash-password                           read a password on stdin, print its hash
  reset-password                          set a new password (read on stdin) in the data dir
  blueprint check FILE                    check a blueprint's metadata block
  instances ls|start|stop|logs [ID]       control a running AiKore
                                          (AIKORE_URL and AIKORE_TOKEN from the environment)
`;

async function instancesCommand(args: string[]): Promise<CommandResult> {
  const [action, id] = args;
  const base = (Deno.env.get("AIKORE_URL") ?? "http://127.0.0.1:9000").replace(/\/$/, "");
  const token = Deno.env.get("AIKORE_TOKEN");
  if (!token) {
    return { exitCode: 2, output: "Set AIKORE_TOKEN to an API token (create one in Settings)\n" };
  }
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const needId = action !== "ls";
  if (needId && !/^\d+$/.test(id ?? "")) return { exitCode: 2, output: USAGE };
  const request = action === "ls"
    ? fetch(`${base}/api/instances`, { headers })
    : action === "logs"
    ? fetch(`${base}/api/instances/${id}/logs?offset=0`, { headers })
    : action === "start" || action === "stop"
    ? fetch(`${base}/api/instances/${id}/${action}`, { method: "POST", headers })
    : null;
  if (!request) return { exitCode: 2, output: USAGE };
  const response = await request;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    return {
      exitCode: 1,
      output: `${response.status}: ${body?.error?.message ?? response.statusText}\n`,
    };
  }
  if (action === "ls") {
    const rows = (body as Array<
      { id: number; slug: string; status: string; port: number | null; gpu_ids: string | null }
    >)
      .map((i) =>
        `${String(i.id).padStart(4)}  ${i.slug.padEnd(24)} ${i.status.padEnd(10)} port ${
          i.port ?? "-"
        }  gpus ${i.gpu_ids ?? "all"}`
      );
    return { exitCode: 0, output: `${rows.join("\n")}\n` };
  }
  if (action === "logs") return { exitCode: 0, output: body.content };
  return { exitCode: 0, output: `${body.slug}: ${body.status}\n` };
}

/** Runs one command; returns the exit code. */
export async function runCli(command: string, args: string[], config: Config): Promise<number> {
  let result: CommandResult;
  switch (command) {
    case "import-db":
      result = await importDbCommand(args, {
        cwd: Deno.cwd(),
        dataDir: config.dataDir,
        portRange: config.portRange,
      });
      break;
    case "blueprint":
      result = await blueprintCommand(args, { cwd: Deno.cwd() });
      break;
    case "instances":
      result = await instancesCommand(args);
      break;
    case "help":
    case "--help":
      result = { exitCode: 0, output: USAGE };
      break;
    default:
      result = { exitCode: 2, output: `Unknown command "${command}"\n\n${USAGE}` };
  }
  const stream = result.exitCode === 0 ? Deno.stdout : Deno.stderr;
  await stream.write(new TextEncoder().encode(result.output));
  return result.exitCode;
}
