import { type ApiRouter, flagQuery, idParam } from "../../lib/http/mod.ts";
import type { InstanceService, OutputFiles } from "../../lib/instances/mod.ts";
import { invalidField } from "../../lib/shared/http_error.ts";
import { outputPathProblem } from "../../lib/shared/output_listing.ts";

export interface OutputRouteDeps {
  service: InstanceService;
  outputs: OutputFiles;
}

/**
 * A file of an app's outputs is the app's content on the dashboard's origin: it gets no
 * script, no plugin, no form and no same-origin rights, whatever it holds.
 */
export const OUTPUT_FILE_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox";

/**
 * The outputs browser, read-only: `GET /api/instances/:id/outputs?path=` lists a folder of the
 * instance's output folder, `GET /api/instances/:id/outputs/file?path=` sends one file (images
 * and videos inline, anything else as a download).
 */
export function registerOutputRoutes(router: ApiRouter, deps: OutputRouteDeps): void {
  const pathQuery = (value: string | undefined): string => {
    const path = value ?? "";
    const problem = outputPathProblem(path);
    if (problem) throw invalidField("path", problem);
    return path;
  };
  router
    .route(
      {
        method: "get",
        path: "/api/instances/:id/outputs",
        summary: "A folder of the instance's outputs: folders first, then newest first",
        tag: "outputs",
        query: { path: "folder relative to the instance's output folder (default: the folder)" },
      },
      async (c) => {
        const record = deps.service.getValid(idParam(c));
        return c.json(await deps.outputs.list(record, pathQuery(c.req.query("path"))));
      },
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
        const path = pathQuery(c.req.query("path"));
        if (path === "") throw invalidField("path", "must name a file");
        const download = flagQuery(c, "download");
        const opened = deps.outputs.open(record, path);
        const inline = download ? null : opened.inline;
        c.header("content-type", inline?.type ?? "application/octet-stream");
        c.header(
          "content-disposition",
          contentDisposition(inline ? "inline" : "attachment", opened.name),
        );
        c.header("content-security-policy", OUTPUT_FILE_CSP);
        return c.body(opened.file.readable);
      },
    );
}

/** RFC 6266 with an RFC 5987 UTF-8 name; the plain fallback keeps printable ASCII only. */
function contentDisposition(how: "inline" | "attachment", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${how}; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
