import type { InstanceDto } from "../shared/instance_schema.ts";
import { LOGGING_STATUSES as LIVE } from "../shared/instance_status.ts";
import { type ApiClient, ApiFailure } from "./api_client.ts";
import type { CommandResult } from "./blueprint_commands.ts";
import type { CliContext, ParsedArgs } from "./command_spec.ts";
import { withApi } from "./instance_commands.ts";
import { wholeNumberFlag } from "./parse_args.ts";
import { statusLine } from "./instance_table.ts";
import { PlainTextLines } from "../instances/mod.ts";

/** An offset past any log: the API then answers the last chunk (up to 1 MiB). */
const PAST_THE_END = 999_999_999_999_999;
/**
 * How long `--follow` asks the server to hold a request open for new output (the log API is
 * read by byte offset; the server answers as soon as output is logged or the status changes).
 */
export const FOLLOW_WAIT_SECONDS = 20;
/** The least time between two asks that brought nothing (a server that cannot wait answers at once). */
export const FOLLOW_MIN_INTERVAL_MS = 500;

interface LogChunk {
  content: string;
  size: number;
  reset: boolean;
}

function lastLines(text: string, count: number): string {
  const lines = text.split("\n");
  const trailing = lines.at(-1) === "" ? lines.pop() : undefined;
  const kept = count === 0 ? [] : lines.slice(-count);
  return kept.join("\n") + (trailing !== undefined && kept.length ? "\n" : "");
}

async function read(api: ApiClient, id: number, offset: number, wait = 0): Promise<LogChunk> {
  const query = wait > 0 ? `offset=${offset}&wait=${wait}` : `offset=${offset}`;
  return await api.json<LogChunk>("GET", `/api/instances/${id}/logs?${query}`);
}

/** Writes the log from the start, chunk by chunk; the offset to go on from. */
async function printAll(api: ApiClient, id: number, out: LogOutput): Promise<number> {
  let offset = 0;
  for (;;) {
    const chunk = await read(api, id, offset);
    if (chunk.content) await out.write(chunk.content);
    if (chunk.size <= offset || chunk.content === "") return chunk.size;
    offset = chunk.size;
  }
}

/** Prints new output until the instance has no process left; returns the final instance. */
async function follow(
  api: ApiClient,
  instance: InstanceDto,
  from: number,
  context: CliContext,
  out: LogOutput,
): Promise<InstanceDto> {
  let offset = from;
  let current = instance;
  for (;;) {
    // While the instance runs, the server holds the ask until output is logged or the status
    // changes; once it stopped, what is left is read at once.
    const asked = performance.now();
    const chunk = await read(
      api,
      instance.id,
      offset,
      LIVE.has(current.status) ? FOLLOW_WAIT_SECONDS : 0,
    );
    if (chunk.reset) await context.note("(the log was rotated: a new run began)\n");
    if (chunk.content) await out.write(chunk.content);
    const progressed = chunk.size !== offset || chunk.reset;
    offset = chunk.size;
    if (progressed && chunk.content) continue;
    if (!LIVE.has(current.status)) return current;
    current = await api.json<InstanceDto>("GET", `/api/instances/${instance.id}`);
    if (!LIVE.has(current.status)) continue; // read what is left, then end
    const early = FOLLOW_MIN_INTERVAL_MS - (performance.now() - asked);
    if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
  }
}

/**
 * Where log text goes: as logged, or (--plain) as the terminal showed it, line by line; what a
 * plain reading holds back (an unfinished line) comes out with `end`.
 */
interface LogOutput {
  write(text: string): Promise<void>;
  end(): Promise<void>;
}

function logOutput(context: CliContext, plain: boolean): LogOutput {
  if (!plain) return { write: (text) => context.write(text), end: () => Promise.resolve() };
  const lines = new PlainTextLines();
  return {
    write: async (text) => {
      const finished = lines.push(text);
      if (finished) await context.write(finished);
    },
    end: async () => {
      const rest = lines.end();
      if (rest) await context.write(`${rest}\n`);
    },
  };
}

/** `instances logs NAME [--tail N] [--follow] [--plain]`. */
export function instanceLogs(args: ParsedArgs, context: CliContext): Promise<CommandResult> {
  return withApi(args, context, async (api) => {
    const tail = wholeNumberFlag(args, "tail", 0, 100_000);
    if (tail !== null && typeof tail === "object") throw new ApiFailure(tail.problem, true);
    const instance = await api.instance(args.positionals[0] as string);
    const plain = args.flags.has("plain");
    const out = logOutput(context, plain);
    let offset: number;
    if (tail === null) offset = await printAll(api, instance.id, out);
    else {
      const end = await read(api, instance.id, PAST_THE_END);
      const text = plain ? plainText(end.content) : end.content;
      await context.write(lastLines(text, tail));
      offset = end.size;
    }
    if (args.flags.has("follow")) {
      const final = await follow(api, instance, offset, context, out);
      await out.end();
      await context.note(`${statusLine(final)}\n`);
    } else await out.end();
    return { exitCode: 0, output: "" };
  });
}

function plainText(text: string): string {
  const lines = new PlainTextLines();
  const finished = lines.push(text);
  const rest = lines.end();
  return rest ? `${finished}${rest}\n` : finished;
}
