import type { Context } from "hono";
import type { ApiRouter } from "../../lib/http/mod.ts";
import { type InstanceService, labelDataFolders } from "../../lib/instances/mod.ts";
import type { DiskSurvey } from "../../lib/telemetry/mod.ts";
import type { DiskUsageReport } from "../../lib/shared/disk_usage.ts";
import { waitQuery } from "./folder_files.ts";

export interface DiskRouteDeps {
  disk: DiskSurvey;
  instances: InstanceService;
}

/**
 * Where the data folder's space goes: the last measurement (each folder AiKore knows named by
 * its instance or trash entry), a waiting read for the next one, and starting one.
 */
export function registerDiskRoutes(router: ApiRouter, deps: DiskRouteDeps): void {
  const labelled = async (report: DiskUsageReport): Promise<DiskUsageReport> => {
    if (report.root === null) return report;
    const context = { instances: deps.instances.list(), trash: await deps.instances.listTrash() };
    return { ...report, root: labelDataFolders(report.root, context) };
  };
  const answer = async (c: Context, status: 200 | 202 = 200) => {
    const wait = status === 200 ? waitQuery(c) : null;
    const report = wait === null
      ? deps.disk.report()
      : await deps.disk.changed(wait.since, wait.waitMs, c.req.raw.signal);
    return c.json(await labelled(report), status);
  };
  router
    .route(
      {
        method: "get",
        path: "/api/system/disk",
        summary: "The data folder's disk usage, folder by folder (the last measurement)",
        tag: "system",
        query: {
          since: "a report's version: answer once the report differs from it",
          wait: "with since, seconds to wait for a change (0 to 30)",
        },
      },
      (c) => answer(c),
    )
    .route(
      {
        method: "post",
        path: "/api/system/disk/measure",
        summary: "Measures the data folder again (one measurement at a time; in the background)",
        tag: "system",
        responses: { 202: "Measuring (or already measuring)" },
      },
      (c) => {
        void deps.disk.measure(); // never rejects: a failure is the report's `problem`
        return answer(c, 202);
      },
    );
}
