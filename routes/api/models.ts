import type { AuditRepository } from "../../lib/db/mod.ts";
import { actorOf, type ApiRouter, readJson } from "../../lib/http/mod.ts";
import { modelFolderSchema } from "../../lib/shared/model_download_schema.ts";
import type { FolderBrowser } from "../../lib/instances/mod.ts";
import { invalidField } from "../../lib/shared/http_error.ts";
import type { Thumbnails } from "../../lib/thumbnails/mod.ts";
import { listAsAsked, pathQuery, sendBrowsedFile, sendThumbnail } from "./folder_files.ts";

export interface ModelRouteDeps {
  /** Browses the shared models folder (`<data>/models`). */
  models: FolderBrowser;
  audit: AuditRepository;
  thumbnails: Thumbnails;
}

const MODELS = { base: "", label: "the shared models" };

/**
 * The shared models (`<data>/models`, which the blueprints link into every app): folders with
 * their sizes, files, and deleting one file (or an empty folder) to free the disk.
 */
export function registerModelRoutes(router: ApiRouter, deps: ModelRouteDeps): void {
  const audit = (c: Parameters<typeof actorOf>[0], action: string, path: string) =>
    deps.audit.record({ ...actorOf(c), action, target: path, detail: null });
  router
    .route(
      {
        method: "get",
        path: "/api/system/models",
        summary: "A folder of the shared models: folders (with sizes) first, then newest first",
        tag: "models",
        query: {
          path: "folder relative to the models folder (default: the folder)",
          since: "a listing's version: answer once the listing differs from it",
          wait: "with since, seconds to wait for a change (0 to 30)",
        },
      },
      (c) => listAsAsked(c, deps.models, MODELS),
    )
    .route(
      {
        method: "get",
        path: "/api/system/models/file",
        summary: "Downloads one file of the shared models",
        tag: "models",
        query: { path: "file relative to the models folder", download: "1 to download" },
      },
      (c) => {
        const path = pathQuery(c);
        if (path === "") throw invalidField("path", "must name a file");
        return sendBrowsedFile(c, deps.models.open(MODELS, path));
      },
    )
    .route(
      {
        method: "get",
        path: "/api/system/models/thumbnail",
        summary: "A small JPEG of one image of the shared models (a preview beside a model)",
        tag: "models",
        query: { path: "image file relative to the models folder" },
      },
      (c) => {
        const path = pathQuery(c);
        if (path === "") throw invalidField("path", "must name a file");
        const opened = deps.models.open(MODELS, path);
        return sendThumbnail(c, opened, deps.thumbnails, `models:${path}`);
      },
    )
    .route(
      {
        method: "post",
        path: "/api/system/models/folders",
        summary: "Makes a folder (and its missing parents) in the shared models",
        tag: "models",
        body: modelFolderSchema,
        responses: { 204: "made (or there already)", 409: "a file or a link is in the way" },
      },
      async (c) => {
        const { path } = await readJson(c, modelFolderSchema);
        await deps.models.makeFolder(MODELS, path);
        audit(c, "model.folder", path);
        return c.body(null, 204);
      },
    )
    .route(
      {
        method: "delete",
        path: "/api/system/models",
        summary:
          "Deletes a file or link (never its target) or an empty folder of the shared models",
        tag: "models",
        query: { path: "what to delete, relative to the models folder" },
        responses: { 204: "deleted", 409: "a folder that is not empty, or a path through a link" },
      },
      async (c) => {
        const path = pathQuery(c);
        if (path === "") throw invalidField("path", "must name a file or a folder");
        await deps.models.remove(MODELS, path);
        audit(c, "model.delete", path);
        return c.body(null, 204);
      },
    );
}
