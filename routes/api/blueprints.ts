import { actorOf, type ApiRouter, readJson } from "../../lib/http/mod.ts";
import {
  type BlueprintCatalog,
  type BlueprintEntry,
  BlueprintError,
  BlueprintExistsError,
  BlueprintNotFoundError,
} from "../../lib/blueprints/mod.ts";
import type { AuditRepository, InstanceRecord } from "../../lib/db/mod.ts";
import { HttpError } from "../../lib/shared/http_error.ts";
import { customBlueprintSchema } from "../../lib/shared/instance_schema.ts";

/** The API view of a blueprint (HEAD-compatible `{filename, category}` plus details). */
export function blueprintView(entry: BlueprintEntry) {
  return {
    filename: entry.file,
    source: entry.source,
    name: entry.metadata?.name ?? entry.file,
    category: entry.metadata?.category ?? "Other",
    description: entry.metadata?.description ?? "",
    persistent_mode: entry.metadata?.persistentMode ?? false,
    proxy: entry.metadata?.proxy ?? "both",
    extra: entry.metadata?.extra ?? {},
    error: entry.error,
  };
}

export interface BlueprintRouteDeps {
  catalog: BlueprintCatalog;
  audit: AuditRepository;
  /** The instances, to refuse deleting a blueprint one of them is made from. */
  instances: { list(): readonly InstanceRecord[] };
}

/** The custom blueprint a `:file` names; a bad name is a 422, a missing one a 404. */
async function withCustom<T>(file: string, use: (file: string) => Promise<T>): Promise<T> {
  try {
    return await use(file);
  } catch (error) {
    if (error instanceof BlueprintNotFoundError) {
      throw new HttpError(404, `There is no custom blueprint "${file}"`);
    }
    if (error instanceof BlueprintError) {
      throw new HttpError(422, error.message, [{ field: "file", reason: error.message }]);
    }
    throw error;
  }
}

/** Blueprint listing; reading, saving and deleting custom blueprints. */
export function registerBlueprintRoutes(router: ApiRouter, deps: BlueprintRouteDeps): void {
  router
    .route(
      {
        method: "get",
        path: "/api/system/blueprints",
        summary: "Stock and custom blueprints with their metadata",
        tag: "blueprints",
      },
      async (c) => {
        const entries = await deps.catalog.list();
        return c.json({
          stock: entries.filter((e) => e.source === "stock").map(blueprintView),
          custom: entries.filter((e) => e.source === "custom").map(blueprintView),
        });
      },
    )
    .route(
      {
        method: "get",
        path: "/api/system/blueprints/custom/:file",
        summary: "The text of a custom blueprint",
        tag: "blueprints",
      },
      async (c) => {
        const text = await withCustom(c.req.param("file") ?? "", (f) => deps.catalog.readCustom(f));
        c.header("content-type", "text/plain; charset=utf-8");
        return c.body(text);
      },
    )
    .route(
      {
        method: "delete",
        path: "/api/system/blueprints/custom/:file",
        summary: "Delete a custom blueprint that no instance is made from",
        tag: "blueprints",
        responses: { 204: "Deleted", 404: "No such custom blueprint", 409: "Instances use it" },
      },
      async (c) => {
        const file = c.req.param("file") ?? "";
        const users = deps.instances.list().filter((record) => record.blueprint === file);
        if (users.length > 0) {
          const names = users.map((record) => record.name);
          throw new HttpError(
            409,
            `"${file}" is the blueprint of ${names.join(", ")}: give ${
              users.length === 1 ? "it" : "them"
            } another blueprint or delete ${users.length === 1 ? "it" : "them"} first`,
            { instances: names },
            "in_use",
          );
        }
        await withCustom(file, (f) => deps.catalog.deleteCustom(f));
        deps.audit.record({
          ...actorOf(c),
          action: "blueprint.delete",
          target: file,
          detail: null,
        });
        return c.body(null, 204);
      },
    )
    .route(
      {
        method: "post",
        path: "/api/system/blueprints/custom",
        summary: "Save a custom blueprint",
        tag: "blueprints",
        body: customBlueprintSchema,
        responses: {
          201: "Saved",
          409: "Exists (send overwrite: true)",
          422: "Invalid name or metadata",
        },
      },
      async (c) => {
        const input = await readJson(c, customBlueprintSchema);
        try {
          const entry = await deps.catalog.saveCustom(input.filename, input.content, {
            overwrite: input.overwrite ?? false,
          });
          deps.audit.record({
            ...actorOf(c),
            action: "blueprint.save",
            target: entry.file,
            detail: { overwrite: input.overwrite ?? false },
          });
          return c.json({
            detail: "Blueprint saved",
            filename: entry.file,
            blueprint: blueprintView(entry),
          }, 201);
        } catch (error) {
          if (error instanceof BlueprintExistsError) {
            throw new HttpError(409, error.message, { confirm: "overwrite" }, "exists");
          }
          if (error instanceof BlueprintError) {
            throw new HttpError(422, error.message, [{ field: "content", reason: error.message }]);
          }
          throw error;
        }
      },
    );
}
