import type { InstanceRecord } from "../../lib/db/mod.ts";
import { type ApiRouter, idParam } from "../../lib/http/mod.ts";
import type { FolderBrowser, InstanceService } from "../../lib/instances/mod.ts";
import { invalidField } from "../../lib/shared/http_error.ts";
import type { Thumbnails } from "../../lib/thumbnails/mod.ts";
import { listAsAsked, pathQuery, sendBrowsedFile, sendThumbnail } from "./folder_files.ts";

export interface OutputRouteDeps {
  service: InstanceService;
  /** Browses beneath the outputs root. */
  outputs: FolderBrowser;
  thumbnails: Thumbnails;
}

/** An instance's output folder, as browsed (a link in its place is refused, not followed). */
const outputsOf = (record: InstanceRecord) => ({
  base: record.outputPath,
  label: `the outputs of ${record.name}`,
});

/**
 * The outputs browser, read-only (outputs are never deleted by AiKore):
 * `GET /api/instances/:id/outputs?path=` lists a folder of the instance's output folder,
 * `GET /api/instances/:id/outputs/file?path=` sends one file (images and videos inline, anything
 * else as a download), `GET /api/instances/:id/outputs/thumbnail?path=` an image's thumbnail.
 */
export function registerOutputRoutes(router: ApiRouter, deps: OutputRouteDeps): void {
  router
    .route(
      {
        method: "get",
        path: "/api/instances/:id/outputs",
        summary: "A folder of the instance's outputs: folders first, then newest first",
        tag: "outputs",
        query: {
          path: "folder relative to the instance's output folder (default: the folder)",
          since: "a listing's version: answer once the listing differs from it",
          wait: "with since, seconds to wait for a change (0 to 30)",
        },
      },
      (c) => listAsAsked(c, deps.outputs, outputsOf(deps.service.getValid(idParam(c)))),
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/outputs/file",
        summary: "One file of the instance's outputs (images and videos inline)",
        tag: "outputs",
        query: {
          path: "file relative to the instance's output folder",
          download: "1 to download even an image or a video",
        },
      },
      (c) => {
        const record = deps.service.getValid(idParam(c));
        const path = pathQuery(c);
        if (path === "") throw invalidField("path", "must name a file");
        return sendBrowsedFile(c, deps.outputs.open(outputsOf(record), path));
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/outputs/thumbnail",
        summary: "A small JPEG of one image of the instance's outputs (the image itself when " +
          "none can be made: not a PNG, or unreadable)",
        tag: "outputs",
        query: { path: "image file relative to the instance's output folder" },
      },
      (c) => {
        const folder = outputsOf(deps.service.getValid(idParam(c)));
        const path = pathQuery(c);
        if (path === "") throw invalidField("path", "must name a file");
        const key = `outputs:${folder.base}/${path}`;
        return sendThumbnail(c, deps.outputs.open(folder, path), deps.thumbnails, key);
      },
    );
}
