import type { Context } from "hono";
import { actorOf, type ApiRouter, type AppEnv, idParam, readJson } from "../../lib/http/mod.ts";
import { z } from "zod";
import type { InstanceRecord } from "../../lib/db/mod.ts";
import { HttpError } from "../../lib/shared/http_error.ts";
import type { InstanceService } from "../../lib/instances/mod.ts";
import {
  copySchema,
  createInstanceSchema,
  deleteInstanceSchema,
  displayOrderSchema,
  fileContentSchema,
  type InstanceDto,
  newNameSchema,
  updateInstanceSchema,
} from "../../lib/shared/instance_schema.ts";

export interface InstancesApiDeps {
  service: InstanceService;
  present: (record: InstanceRecord, c: Context<AppEnv>) => InstanceDto;
}

const TAG = "instances";

function fileType(c: Context<AppEnv>): void {
  const type = c.req.query("file_type") ?? "script";
  if (type !== "script") {
    throw new HttpError(422, `Invalid file_type: only "script" is supported`, [
      { field: "file_type", reason: 'only "script" is supported' },
    ]);
  }
}

/** Instances CRUD, copy, instantiate, launch script, trash and display order. */
export function registerInstanceRoutes(router: ApiRouter, deps: InstancesApiDeps): void {
  const { service, present } = deps;
  router
    .route(
      {
        method: "get",
        path: "/api/instances",
        summary: "List instances in display order",
        tag: TAG,
      },
      (c) => c.json(service.list().map((r) => present(r, c))),
    )
    .route(
      {
        method: "post",
        path: "/api/instances",
        summary: "Create an instance from a blueprint",
        tag: TAG,
        body: createInstanceSchema,
        responses: {
          201: "Created",
          409: "Slug or port taken",
          422: "Invalid field",
          503: "No free port",
        },
      },
      async (c) => {
        const input = await readJson(c, createInstanceSchema);
        return c.json(present(await service.create(input, actorOf(c)), c), 201);
      },
    )
    .route(
      {
        method: "get",
        path: "/api/display-order",
        summary: "Stored display order (instance ids)",
        tag: TAG,
      },
      (c) => c.json({ order: service.displayOrder() }),
    )
    .route(
      {
        method: "put",
        path: "/api/display-order",
        summary: "Replace the display order",
        tag: TAG,
        body: displayOrderSchema,
      },
      async (c) => {
        const input = await readJson(c, displayOrderSchema);
        return c.json({ order: service.setDisplayOrder(input.order, actorOf(c)) });
      },
    )
    .route(
      { method: "get", path: "/api/instances/:id", summary: "One instance", tag: TAG },
      (c) => c.json(present(service.get(idParam(c)), c)),
    )
    .route(
      {
        method: "put",
        path: "/api/instances/:id",
        summary: "Update an instance (restart: true confirms stop → apply → start)",
        tag: TAG,
        body: updateInstanceSchema,
        responses: { 409: "Running and needs a restart, or a conflict", 422: "Invalid field" },
      },
      async (c) => {
        const id = idParam(c);
        const input = await readJson(c, updateInstanceSchema);
        return c.json(present(await service.update(id, input, actorOf(c)), c));
      },
    )
    .route(
      {
        method: "delete",
        path: "/api/instances/:id",
        summary: "Delete a stopped instance to the trash (default) or permanently",
        tag: TAG,
        body: deleteInstanceSchema,
        responses: { 409: "Running, has satellites, or trash conflict" },
      },
      async (c) => {
        const id = idParam(c);
        const input = await readJson(c, deleteInstanceSchema);
        const result = await service.remove(id, input, actorOf(c));
        return c.json({ ok: true, detail: "Instance deleted", trash_id: result.trashId });
      },
    )
    .route(
      {
        method: "post",
        path: "/api/instances/:id/copy",
        summary: "Clone an instance (background copy; status installing → stopped/error)",
        tag: TAG,
        body: copySchema,
        responses: { 202: "Copy started" },
      },
      async (c) => {
        const id = idParam(c);
        const input = await readJson(c, copySchema);
        return c.json(present(await service.copy(id, input, actorOf(c)), c), 202);
      },
    )
    .route(
      {
        method: "post",
        path: "/api/instances/:id/instantiate",
        summary: "Create a satellite running this instance's app",
        tag: TAG,
        body: newNameSchema,
        responses: { 201: "Created" },
      },
      async (c) => {
        const id = idParam(c);
        const input = await readJson(c, newNameSchema);
        return c.json(present(service.instantiate(id, input, actorOf(c)), c), 201);
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/file",
        summary: "Read the launch script (the parent's for a satellite)",
        tag: TAG,
        query: { file_type: "script (the only type)" },
      },
      async (c) => {
        const id = idParam(c);
        fileType(c);
        return c.json(await service.readScript(id));
      },
    )
    .route(
      {
        method: "put",
        path: "/api/instances/:id/file",
        summary: "Replace the launch script (403 for satellites)",
        tag: TAG,
        body: fileContentSchema,
        query: { file_type: "script", restart: "true to restart a running instance" },
        responses: { 403: "Satellites share their parent's script" },
      },
      async (c) => {
        const id = idParam(c);
        fileType(c);
        const input = await readJson(c, fileContentSchema);
        const restart = c.req.query("restart") === "true";
        const record = await service.writeScript(id, input.content, restart, actorOf(c));
        return c.json({ ok: true, detail: "Script saved", instance: present(record, c) });
      },
    )
    .route(
      {
        method: "get",
        path: "/api/trash",
        summary: "Deleted instances kept in the trash",
        tag: TAG,
      },
      async (c) => c.json({ entries: await service.listTrash() }),
    )
    .route(
      {
        method: "post",
        path: "/api/trash/:entry/restore",
        summary: "Restore a trash entry as an instance",
        tag: TAG,
        responses: { 201: "Restored", 409: "Slug or folder taken" },
      },
      async (c) => {
        const record = await service.restore(c.req.param("entry") ?? "", actorOf(c));
        return c.json(present(record, c), 201);
      },
    )
    .route(
      {
        method: "delete",
        path: "/api/trash/:entry",
        summary: "Purge a trash entry for good",
        tag: TAG,
      },
      async (c) => {
        await service.purge(c.req.param("entry") ?? "", actorOf(c));
        return c.json({ ok: true });
      },
    );
}

/** Schema of `GET /api/system/available-ports` (documented for clients). */
export const availablePortsSchema = z.object({ available_ports: z.array(z.number()) });
