import { type ApiRouter, flagQuery, idParam } from "../../lib/http/mod.ts";
import type { InstanceLogs, InstanceService, RunHistory } from "../../lib/instances/mod.ts";
import { plainTextStream } from "../../lib/instances/mod.ts";
import { HttpError, invalidField } from "../../lib/shared/http_error.ts";

export interface RunHistoryDeps {
  /** The runs, recorded by the services from the bus. */
  runs: RunHistory;
  service: InstanceService;
  logs: InstanceLogs;
}

/**
 * `GET /api/instances/:id/runs` (start, end, outcome, exit, what its environment held and what
 * changed in it since the last run that worked, and which runs still have a log:
 * each start rotates the log, so run n, newest first, wrote `output.log` or `output.log.n`)
 * and `GET /api/instances/:id/runs/:n/log` (that run's log as a text file).
 */
export function registerRunHistoryRoutes(router: ApiRouter, deps: RunHistoryDeps): void {
  const history = deps.runs;
  router
    .route(
      {
        method: "get",
        path: "/api/instances/:id/runs",
        summary: "Run history: start, end, outcome and exit of each run, newest first",
        tag: "logs",
      },
      async (c) => {
        const record = deps.service.getValid(idParam(c));
        const files = await deps.logs.files(record.slug);
        const runs = history.list(record.id).map((run, index) => ({
          ...run,
          duration_ms: run.ended_at ? Date.parse(run.ended_at) - Date.parse(run.started_at) : null,
          has_log: index < files.length,
        }));
        return c.json({ runs });
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/runs/:n/log",
        summary: "The log of run n (0 = the newest) as a text file",
        tag: "logs",
        query: {
          download: "1 to download as an attachment",
          plain: "1 for the text as the terminal showed it (no colours or redraws)",
        },
      },
      async (c) => {
        const record = deps.service.getValid(idParam(c));
        const n = c.req.param("n") ?? "";
        if (!/^\d{1,2}$/.test(n)) throw invalidField("n", "must be a run number 0-99");
        const file = (await deps.logs.files(record.slug))[Number(n)];
        if (!file) {
          throw new HttpError(404, "The log of that run is no longer kept (only the last few are)");
        }
        const plain = flagQuery(c, "plain");
        c.header("content-type", "text/plain; charset=utf-8");
        if (flagQuery(c, "download")) {
          const name = `${record.slug}-run-${n}${plain ? ".txt" : ".log"}`;
          c.header("content-disposition", `attachment; filename="${name}"`);
        }
        // Confined open: the file may have been swapped for a link since it was listed.
        const opened = deps.logs.open(file);
        if (!opened) {
          throw new HttpError(404, "The log of that run is no longer kept (only the last few are)");
        }
        return c.body(plain ? opened.readable.pipeThrough(plainTextStream()) : opened.readable);
      },
    );
}
