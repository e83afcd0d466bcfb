/** `instances set NAME --idle-stop MINUTES|off [--restart]`: changes settings with one PUT. */
import { idleStopLabel, idleStopProblem, normalizeIdleStop } from "../shared/idle_stop.ts";
import type { InstanceDto } from "../shared/instance_schema.ts";
import { ApiFailure } from "./api_client.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { withApi } from "./instance_commands.ts";

/** The API value of `--idle-stop`: minutes (0 and "off" → null), or why it is refused. */
export function idleStopFlag(text: string): number | null | { problem: string } {
  if (text === "off") return null;
  const value: unknown = /^-?\d{1,9}$/.test(text) ? Number(text) : text;
  const problem = idleStopProblem(value);
  if (problem !== null) {
    return { problem: `--idle-stop ${problem}, not "${text}" ("off" turns it off)` };
  }
  return normalizeIdleStop(value as number);
}

/** The PUT body of the setting flags given (usage failure when none or a bad one). */
function bodyOf(args: ParsedArgs): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const idle = args.flags.get("idle-stop");
  if (idle !== undefined) {
    const value = idleStopFlag(idle);
    if (value !== null && typeof value === "object") throw new ApiFailure(value.problem, true);
    body.idle_stop_minutes = value;
  }
  if (Object.keys(body).length === 0) {
    throw new ApiFailure("nothing to set: pass --idle-stop MINUTES|off", true);
  }
  if (args.flags.has("restart")) body.restart = true;
  return body;
}

/** `instances set`: prints `slug: idle stop: 30 min` (or `…: off`) as AiKore stored it. */
export function setInstance(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const body = bodyOf(args);
    const target = await api.instance(args.positionals[0] as string);
    let updated: InstanceDto;
    try {
      updated = await api.json<InstanceDto>("PUT", `/api/instances/${target.id}`, body);
    } catch (error) {
      // The API asks for `restart: true`; on the command line that is --restart.
      if (error instanceof ApiFailure && error.message.startsWith("409 restart_required")) {
        throw new ApiFailure(`${error.message}; pass --restart to stop and start it`);
      }
      throw error;
    }
    const label = idleStopLabel(updated.idle_stop_minutes) ?? "idle stop: off";
    return { exitCode: 0, output: `${updated.slug}: ${label}` };
  });
}
