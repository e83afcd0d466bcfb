import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import type { Config } from "../../lib/config/mod.ts";
import { importLegacyDatabase, LegacyImportError } from "../../lib/legacy_import/mod.ts";
import type { GpuProvider, StatsHub } from "../../lib/telemetry/mod.ts";
import type { Context } from "hono";
import { actorOf, type ApiRouter, idParam, readJson } from "../../lib/http/mod.ts";
import type { InstanceService, InstanceStore } from "../../lib/instances/mod.ts";
import type { AuditRepository, UsageHistoryRepository, UsageRange } from "../../lib/db/mod.ts";
import { HttpError, invalidField } from "../../lib/shared/http_error.ts";
import { historyHoursProblem, historyResolution } from "../../lib/shared/usage_history.ts";

export interface SystemRouteDeps {
  instances: InstanceService;
  gpu: GpuProvider | null;
  stats: StatsHub | null;
  db: DatabaseSync;
  audit: AuditRepository;
  config: Config;
  /** A Python-AiKore database found at first start (moved aside), offered for import. */
  legacyDatabase: string | null;
  /** Publishes imported rows to live clients. */
  store: InstanceStore;
  usageHistory: UsageHistoryRepository;
}

/**
 * The range a history is asked for (`hours`, default 24): its buckets, aligned to their length,
 * the last one holding now.
 */
function historyRange(c: Context): { hours: number; range: UsageRange } {
  const text = c.req.query("hours") ?? "24";
  const problem = historyHoursProblem(text);
  if (problem) throw invalidField("hours", problem);
  const hours = Number(text);
  const { tier, stepMs } = historyResolution(hours);
  const buckets = Math.ceil((hours * 3600_000) / stepMs);
  const end = (Math.floor(Date.now() / stepMs) + 1) * stepMs;
  return { hours, range: { tier, from: end - buckets * stepMs, stepMs, buckets } };
}

const legacyImportSchema = z.strictObject({
  accept_proposed_slugs: z.boolean().optional(),
  dry_run: z.boolean().optional(),
});

/** System information: ports, GPUs, live stats, and the legacy-import offer. */
export function registerSystemRoutes(router: ApiRouter, deps: SystemRouteDeps): void {
  router
    .route(
      {
        method: "get",
        path: "/api/system/available-ports",
        summary: "Pool ports held by no instance and used by no other program",
        tag: "system",
      },
      (c) => c.json({ available_ports: deps.instances.availablePorts() }),
    )
    .route(
      {
        method: "get",
        path: "/api/system/info",
        summary: "GPUs (read once at start), driver and telemetry state",
        tag: "system",
      },
      (c) => {
        const gpu = deps.gpu;
        const devices = gpu?.available ? gpu.devices : [];
        return c.json({
          gpu_count: devices.length,
          gpus: devices.map((d) => ({
            id: d.index,
            name: d.name,
            uuid: d.uuid,
            memory_total: d.memoryTotalBytes,
            compute_capability: d.computeCapability,
          })),
          driver_version: gpu?.driverVersion ?? null,
          gpu_telemetry: {
            available: gpu?.available ?? false,
            reason: gpu?.available ? null : (gpu?.reason ?? "no GPU telemetry"),
          },
          port_range: deps.config.portRange,
        });
      },
    )
    .route(
      {
        method: "get",
        path: "/api/system/stats",
        summary: "CPU, RAM, disk, GPUs and per-instance resources (at most one sample per second)",
        tag: "system",
      },
      async (c) => {
        const stats = await deps.stats?.current(1000);
        if (!stats) throw new HttpError(503, "Statistics are not available right now");
        return c.json(stats);
      },
    )
    .route(
      {
        method: "get",
        path: "/api/system/stats/history",
        summary:
          "CPU, RAM and each GPU over the last hours (10 s samples for 1 h and 6 h, their 5-minute " +
          "averages beyond), in 288 to 360 buckets (null where AiKore was not running)",
        tag: "system",
        query: { hours: "1, 6, 24 or 168 (default 24)" },
      },
      (c) => {
        const { hours, range } = historyRange(c);
        return c.json({ hours, ...deps.usageHistory.read(range) });
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/stats/history",
        summary:
          "An instance's CPU, memory and VRAM over the last hours, recorded every 10 s while " +
          "it ran, in 288 to 360 buckets (null where it was not running)",
        tag: "system",
        query: { hours: "1, 6, 24 or 168 (default 24)" },
      },
      (c) => {
        const id = deps.instances.getValid(idParam(c)).id;
        const { hours, range } = historyRange(c);
        return c.json({ hours, ...deps.usageHistory.readInstance(id, range) });
      },
    )
    .route(
      {
        method: "get",
        path: "/api/system/legacy-import",
        summary: "Whether a Python-AiKore database waits to be imported, with a dry-run preview",
        tag: "system",
      },
      (c) => {
        if (!deps.legacyDatabase) return c.json({ available: false, path: null, preview: null });
        const preview = runImport(deps, { dryRun: true, acceptProposedSlugs: false });
        return c.json({ available: true, path: deps.legacyDatabase, preview });
      },
    )
    .route(
      {
        method: "post",
        path: "/api/system/legacy-import",
        summary: "Import the Python-AiKore database found at first start",
        tag: "system",
        body: legacyImportSchema,
        responses: { 404: "No legacy database", 409: "Import conflict" },
      },
      async (c) => {
        const input = await readJson(c, legacyImportSchema);
        if (!deps.legacyDatabase) throw new HttpError(404, "No Python-AiKore database was found");
        const report = runImport(deps, {
          dryRun: input.dry_run ?? false,
          acceptProposedSlugs: input.accept_proposed_slugs ?? false,
        });
        if (!report.dryRun) {
          for (const { newId } of report.imported) {
            const record = deps.store.get(newId);
            if (record) deps.store.published(record);
          }
          deps.audit.record({
            ...actorOf(c),
            action: "legacy.import",
            target: deps.legacyDatabase,
            detail: { imported: report.imported.length, invalid: report.invalid.length },
          });
        }
        return c.json(report);
      },
    );
}

function runImport(
  deps: SystemRouteDeps,
  options: { dryRun: boolean; acceptProposedSlugs: boolean },
) {
  try {
    return importLegacyDatabase({
      source: deps.legacyDatabase ?? "",
      target: deps.db,
      backupDir: `${deps.config.dataDir}/backups`,
      portRange: deps.config.portRange,
      merge: true,
      dryRun: options.dryRun,
      acceptProposedSlugs: options.acceptProposedSlugs,
    });
  } catch (error) {
    if (error instanceof LegacyImportError) throw new HttpError(409, error.message);
    throw error;
  }
}
