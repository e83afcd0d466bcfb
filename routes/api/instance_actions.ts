import type { Context } from "hono";
import type { AuditRepository, InstanceRecord } from "../../lib/db/mod.ts";
import { actorOf, type ApiRouter, type AppEnv, flagQuery, idParam } from "../../lib/http/mod.ts";
import type {
  EventBus,
  InstanceLogs,
  InstancePaths,
  InstanceService,
  LogChunk,
} from "../../lib/instances/mod.ts";
import {
  INSTANCE_EVENT,
  MAX_LOG_WAIT_MS,
  plainTextStream,
  runVersionCheck,
} from "../../lib/instances/mod.ts";
import type { BlueprintSource } from "../../lib/instances/mod.ts";
import { HttpError, invalidField } from "../../lib/shared/http_error.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { LOGGING_STATUSES } from "../../lib/shared/instance_status.ts";

export interface InstanceActionDeps {
  service: InstanceService;
  logs: InstanceLogs;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  baseEnv: Record<string, string>;
  present: (record: InstanceRecord, c: Context<AppEnv>) => InstanceDto;
  /** Where version checks are audited (rebuilds are audited by the service). */
  audit?: AuditRepository;
  /** Status changes end a log wait (a follower learns of a stop at once). */
  bus: EventBus;
  /** Ends log waits when AiKore shuts down. */
  lifetime: AbortSignal;
}

const TAG = "lifecycle";

/** Start/stop/restart/rebuild/version-check and the log endpoints. */
export function registerInstanceActionRoutes(router: ApiRouter, deps: InstanceActionDeps): void {
  const { service, present } = deps;
  const audited = (
    c: Context<AppEnv>,
    action: string,
    target: string,
    detail: Record<string, unknown> | null,
  ) => {
    deps.audit?.record({ ...actorOf(c), action, target, detail });
  };
  const transitions = [
    [
      "start",
      "Start an instance (status → starting → started)",
      "Already running, or invalid stored values",
    ],
    ["stop", "Stop an instance; returns when nothing of it is left", "Already stopped"],
    ["restart", "Stop (if running) then start", "Invalid stored values"],
  ] as const;
  for (const [action, summary, conflict] of transitions) {
    router.route(
      {
        method: "post",
        path: `/api/instances/:id/${action}`,
        summary,
        tag: TAG,
        responses: { 409: conflict },
      },
      async (c) => c.json(present(await service[action](idParam(c), actorOf(c)), c)),
    );
  }
  router
    .route(
      {
        method: "post",
        path: "/api/instances/:id/rebuild",
        summary: "Mark the environment for rebuild at next start (restarts a running instance)",
        tag: TAG,
        responses: { 403: "Satellites use their parent's environment" },
      },
      async (c) => {
        const after = await service.rebuild(idParam(c), actorOf(c));
        return c.json({
          ok: true,
          detail: "The environment is rebuilt at the next start",
          instance: present(after, c),
        });
      },
    )
    .route(
      {
        method: "post",
        path: "/api/instances/:id/version-check",
        summary: "Python/torch/CUDA versions and pip check in the instance environment",
        tag: TAG,
      },
      async (c) => {
        const record = service.getValid(idParam(c));
        const owner = record.parentId === null ? record : service.getValid(record.parentId);
        audited(c, "instance.version_check", record.slug, null);
        return c.json(
          await runVersionCheck({
            record,
            owner,
            paths: deps.paths,
            blueprints: deps.blueprints,
            baseEnv: deps.baseEnv,
          }),
        );
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/logs",
        summary: "Log text from a byte offset ({content, size}; ask again from size)",
        tag: "logs",
        query: {
          offset: "byte offset to read from (default 0)",
          wait: `seconds to wait for output when none is new (0 to ${MAX_LOG_WAIT_MS / 1000}; ` +
            "default 0); a status change of the instance ends the wait",
        },
      },
      async (c) => {
        const record = service.getValid(idParam(c));
        const offsetText = c.req.query("offset") ?? "0";
        if (!/^\d{1,15}$/.test(offsetText)) throw invalidField("offset", "must be a whole number");
        const waitText = c.req.query("wait") ?? "0";
        const waitSeconds = /^\d{1,2}$/.test(waitText) ? Number(waitText) : NaN;
        if (!(waitSeconds * 1000 <= MAX_LOG_WAIT_MS)) {
          throw invalidField(
            "wait",
            `must be a whole number of seconds from 0 to ${MAX_LOG_WAIT_MS / 1000}`,
          );
        }
        return c.json(
          await readLog(deps, record, Number(offsetText), waitSeconds * 1000, c.req.raw.signal),
        );
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/logs/download",
        summary: "The whole current log file",
        tag: "logs",
        query: { plain: "1 for the text as the terminal showed it (no colours or redraws)" },
      },
      async (c) => {
        const record = service.getValid(idParam(c));
        const plain = flagQuery(c, "plain");
        const [current] = await deps.logs.files(record.slug);
        if (!current) throw new HttpError(404, "This instance has no log yet");
        const file = deps.logs.open(current);
        if (!file) throw new HttpError(404, "This instance has no log yet");
        c.header("content-type", "text/plain; charset=utf-8");
        c.header(
          "content-disposition",
          `attachment; filename="${record.slug}${plain ? ".txt" : ".log"}"`,
        );
        return c.body(plain ? file.readable.pipeThrough(plainTextStream()) : file.readable);
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/logs/search",
        summary: "Log lines containing a text (case-insensitive)",
        tag: "logs",
        query: { q: "text to find", limit: "most lines (default 200, max 2000)" },
      },
      async (c) => {
        const record = service.getValid(idParam(c));
        const query = c.req.query("q") ?? "";
        if (query.length === 0 || query.length > 200) {
          throw invalidField("q", "must be 1-200 characters");
        }
        const limitText = c.req.query("limit") ?? "200";
        const limit = /^\d{1,4}$/.test(limitText) ? Math.min(Number(limitText), 2000) : 200;
        const body = await deps.logs.searchJson(record.slug, query, Math.max(1, limit));
        return c.body(body, 200, { "content-type": "application/json; charset=utf-8" });
      },
    );
}

/**
 * A log read that, asked to wait, is held until output is logged, the instance's status
 * changes, the client leaves or AiKore shuts down. An instance with no process left answers at
 * once: nothing more will be logged.
 */
async function readLog(
  deps: InstanceActionDeps,
  record: InstanceRecord,
  offset: number,
  waitMs: number,
  requestSignal: AbortSignal,
): Promise<LogChunk> {
  if (waitMs === 0) return await deps.logs.read(record.slug, offset);
  const statusChanged = new AbortController();
  const unsubscribe = deps.bus.subscribe((event) => {
    const changed = event.data as { id?: unknown } | null;
    if (event.type === INSTANCE_EVENT && changed?.id === record.id) statusChanged.abort();
  });
  try {
    // Checked after subscribing, so that a change between the check and the wait ends it.
    if (!LOGGING_STATUSES.has(deps.service.getValid(record.id).status)) {
      return await deps.logs.read(record.slug, offset);
    }
    const signal = AbortSignal.any([requestSignal, deps.lifetime, statusChanged.signal]);
    return await deps.logs.readWaiting(record.slug, offset, waitMs, signal);
  } finally {
    unsubscribe();
  }
}
