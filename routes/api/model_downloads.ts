import type { AuditRepository } from "../../lib/db/mod.ts";
import type { ModelDownloads } from "../../lib/downloads/mod.ts";
import { actorOf, type ApiRouter, idParam, readJson } from "../../lib/http/mod.ts";
import {
  modelDownloadResumeSchema,
  modelDownloadSchema,
} from "../../lib/shared/model_download_schema.ts";
import { waitQuery } from "./folder_files.ts";

export interface ModelDownloadRouteDeps {
  downloads: ModelDownloads;
  audit: AuditRepository;
}

/**
 * Downloads into the shared models folder (the Models view): add one, see them go (a listing
 * can wait for a change), pause, resume, remove.
 */
export function registerModelDownloadRoutes(
  router: ApiRouter,
  deps: ModelDownloadRouteDeps,
): void {
  const audit = (c: Parameters<typeof actorOf>[0], action: string, target: string) =>
    deps.audit.record({ ...actorOf(c), action, target, detail: null });
  router
    .route(
      {
        method: "get",
        path: "/api/system/models/downloads",
        summary: "The model downloads, newest first, with their progress",
        tag: "models",
        query: {
          since: "a listing's version: answer once the downloads differ from it",
          wait: "with since, seconds to wait for a change (0 to 30)",
        },
      },
      async (c) => {
        const wait = waitQuery(c);
        if (wait === null) return c.json(deps.downloads.list());
        return c.json(
          await deps.downloads.listWaiting(wait.since, wait.waitMs, c.req.raw.signal),
        );
      },
    )
    .route(
      {
        method: "post",
        path: "/api/system/models/downloads",
        summary: "Downloads a file into the shared models (goes on after breaks and restarts)",
        tag: "models",
        body: modelDownloadSchema,
        responses: {
          202: "added: it starts when a slot is free",
          404: "the folder does not exist",
          409: "a file of that name exists already",
        },
      },
      async (c) => {
        const body = await readJson(c, modelDownloadSchema);
        const added = await deps.downloads.add(body);
        audit(c, "model.download", added.source);
        return c.json(added, 202);
      },
    )
    .route(
      {
        method: "post",
        path: "/api/system/models/downloads/:id/pause",
        summary: "Pauses a download, keeping what it has",
        tag: "models",
      },
      (c) => c.json(deps.downloads.pause(idParam(c, "Download"))),
    )
    .route(
      {
        method: "post",
        path: "/api/system/models/downloads/:id/resume",
        summary: "Goes on with a paused or failed download from where it stopped",
        tag: "models",
        body: modelDownloadResumeSchema,
      },
      async (c) => {
        const body = await readJson(c, modelDownloadResumeSchema);
        return c.json(deps.downloads.resume(idParam(c, "Download"), body.token));
      },
    )
    .route(
      {
        method: "delete",
        path: "/api/system/models/downloads/:id",
        summary: "Removes a download: one not finished stops and its partial file goes; a " +
          "finished one leaves the list (its file stays)",
        tag: "models",
        responses: { 204: "removed" },
      },
      async (c) => {
        const id = idParam(c, "Download");
        await deps.downloads.remove(id);
        audit(c, "model.download.remove", String(id));
        return c.body(null, 204);
      },
    );
}
