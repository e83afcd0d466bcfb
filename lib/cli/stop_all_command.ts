import type { InstanceDto, InstanceStatus } from "../shared/instance_schema.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { withApi } from "./instance_commands.ts";
import { statusLine } from "./instance_table.ts";

/** Instances with something to stop: a process, or (exited) maybe a pending automatic restart. */
const STOPPABLE = new Set<InstanceStatus>(["starting", "started", "stalled", "exited"]);

/**
 * `instances stop-all`: stops every instance that runs (or waits for a restart), one request
 * each; the API answers once nothing of it is left. Before replacing or removing AiKore for
 * good: by default stopping AiKore leaves instances running (AIKORE_ON_SHUTDOWN=leave).
 */
export function stopAllInstances(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const list = await api.json<InstanceDto[]>("GET", "/api/instances");
    const lines: string[] = [];
    let failed = false;
    for (const instance of list.filter((item) => STOPPABLE.has(item.status))) {
      await context.note(`stopping ${instance.slug}…\n`);
      const stopped = await api.json<InstanceDto>("POST", `/api/instances/${instance.id}/stop`);
      failed ||= stopped.status === "error";
      lines.push(statusLine(stopped));
    }
    return { exitCode: failed ? 1 : 0, output: lines.join("\n") || "nothing was running" };
  });
}
