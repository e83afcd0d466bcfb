import type { Context } from "hono";
import type { AuditRepository, InstanceRecord } from "../../lib/db/mod.ts";
import { actorOf, type ApiRouter, type AppEnv, idParam } from "../../lib/http/mod.ts";
import type { InstanceLogs, InstancePaths, InstanceService } from "../../lib/instances/mod.ts";
import { runVersionCheck } from "../../lib/instances/mod.ts";
import type { BlueprintSource } from "../../lib/instances/mod.ts";
import { HttpError, invalidField } from "../../lib/shared/http_error.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";

export interface InstanceActionDeps {
  service: InstanceService;
  logs: InstanceLogs;
  paths: InstancePaths;
  blueprints: BlueprintSource;
  baseEnv: Record<string, string>;
  present: (record: InstanceRecord, c: Context<AppEnv>) => InstanceDto;
  /** Where version checks are audited (rebuilds are audited by the service). */
  audit?: AuditRepository;
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
    const actor = actorOf(c);
    deps.audit?.record({ actor: actor.actor, client: actor.client, action, target, detail });
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
        query: { offset: "byte offset to read from (default 0)" },
      },
      async (c) => {
        const record = service.getValid(idParam(c));
        const offsetText = c.req.query("offset") ?? "0";
        if (!/^\d{1,15}$/.test(offsetText)) throw invalidField("offset", "must be a whole number");
        return c.json(await deps.logs.read(record.slug, Number(offsetText)));
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/logs/download",
        summary: "The whole current log file",
        tag: "logs",
      },
      async (c) => {
        const record = service.getValid(idParam(c));
        const [current] = await deps.logs.files(record.slug);
        if (!current) throw new HttpError(404, "This instance has no log yet");
        const file = deps.logs.open(current);
        if (!file) throw new HttpError(404, "This instance has no log yet");
        c.header("content-type", "text/plain; charset=utf-8");
        c.header("content-disposition", `attachment; filename="${record.slug}.log"`);
        return c.body(file.readable);
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
