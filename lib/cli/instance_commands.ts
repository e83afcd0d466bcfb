import { describeSharedGpu, sharedGpusFor } from "../shared/gpu_sharing.ts";
import type { InstanceDto, InstanceStatus } from "../shared/instance_schema.ts";
import type { SystemStats } from "../shared/stats.ts";
import { ApiClient, ApiFailure } from "./api_client.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { wholeNumberFlag } from "./parse_args.ts";
import { instanceTable, statusLine } from "./instance_table.ts";
import { waitForStatus } from "./wait_for_status.ts";

/** Where a start or restart ends: running, or a failure to report. */
const START_DONE = new Set<InstanceStatus>(["started", "stalled", "exited", "error", "stopped"]);
const STOP_DONE = new Set<InstanceStatus>(["stopped", "exited", "error"]);

/** Runs an API-backed command; an ApiFailure becomes its one line and exit 1 (2 for usage). */
export async function withApi(
  args: ParsedArgs,
  context: CliContext,
  body: (api: ApiClient) => Promise<CommandResult>,
): Promise<CommandResult> {
  try {
    return await body(ApiClient.from(args, context.env));
  } catch (error) {
    if (error instanceof ApiFailure) {
      return { exitCode: error.usage ? 2 : 1, output: `error: ${error.message}` };
    }
    throw error;
  }
}

/** `instances ls [--json]`. */
export function listInstances(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const list = await api.json<InstanceDto[]>("GET", "/api/instances");
    const output = args.flags.has("json") ? JSON.stringify(list, null, 2) : instanceTable(list);
    return { exitCode: 0, output };
  });
}

/**
 * Says on stderr which GPUs `target` would share (another running instance, or little free
 * memory) before it starts: the dashboard asks; a script is only told, and goes on.
 */
async function warnOfSharedGpus(
  api: ApiClient,
  target: InstanceDto,
  context: CliContext,
): Promise<void> {
  let instances: InstanceDto[];
  let stats: SystemStats;
  try {
    [instances, stats] = await Promise.all([
      api.json<InstanceDto[]>("GET", "/api/instances"),
      api.json<SystemStats>("GET", "/api/system/stats"),
    ]);
  } catch (error) {
    if (error instanceof ApiFailure) return; // no figures (a 503): nothing to warn with
    throw error;
  }
  for (const gpu of sharedGpusFor(target, instances, stats.gpus)) {
    await context.note(`warning: a busy GPU: ${describeSharedGpu(gpu)}\n`);
  }
}

/** `instances start|stop|restart NAME`: acts, then waits for where it ends and prints it. */
export function instanceAction(
  action: "start" | "stop" | "restart",
): (args: ParsedArgs, context: CliContext) => Promise<CommandResult> {
  return (args, context) =>
    withApi(args, context, async (api) => {
      const timeout = wholeNumberFlag(args, "timeout", 1, 86_400);
      if (timeout !== null && typeof timeout === "object") {
        throw new ApiFailure(timeout.problem, true);
      }
      const target = await api.instance(args.positionals[0] as string);
      if (action !== "stop") await warnOfSharedGpus(api, target, context);
      let instance = await api.json<InstanceDto>("POST", `/api/instances/${target.id}/${action}`);
      const done = action === "stop" ? STOP_DONE : START_DONE;
      if (!args.flags.has("no-wait") && !done.has(instance.status)) {
        instance = await waitForStatus(api, instance.id, done, {
          timeoutMs: timeout === null ? null : timeout * 1000,
          onChange: (now) =>
            done.has(now.status) ? Promise.resolve() : context.note(`${statusLine(now)}…\n`),
        });
      }
      // Without waiting, an in-between status is not a failure; a final one other than started is.
      const failed = action === "stop"
        ? instance.status === "error"
        : START_DONE.has(instance.status) && instance.status !== "started";
      return { exitCode: failed ? 1 : 0, output: statusLine(instance) };
    });
}
