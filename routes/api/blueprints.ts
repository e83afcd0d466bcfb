import { actorOf, type ApiRouter, readJson } from "../../lib/http/mod.ts";
import {
  type BlueprintCatalog,
  type BlueprintEntry,
  BlueprintError,
  BlueprintExistsError,
} from "../../lib/blueprints/mod.ts";
import type { AuditRepository } from "../../lib/db/mod.ts";
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

/** Blueprint listing and saving custom blueprints. */
export function registerBlueprintRoutes(
  router: ApiRouter,
  deps: { catalog: BlueprintCatalog; audit: AuditRepository },
): void {
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
          const actor = actorOf(c);
          deps.audit.record({
            actor: actor.actor,
            client: actor.client,
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
