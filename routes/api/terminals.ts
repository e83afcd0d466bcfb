import { actorOf, type ApiRouter, idParam } from "../../lib/http/mod.ts";
import type { InstanceService, TerminalManager } from "../../lib/instances/mod.ts";
import type { AuditRepository } from "../../lib/db/mod.ts";
import { HttpError } from "../../lib/shared/http_error.ts";

/** Terminals as resources: open (then attach by WebSocket), list, close. */
export function registerTerminalRoutes(
  router: ApiRouter,
  deps: { service: InstanceService; terminals: TerminalManager; audit: AuditRepository },
): void {
  router
    .route(
      {
        method: "post",
        path: "/api/instances/:id/terminals",
        summary: "Open a shell in the instance environment; attach with the terminal WebSocket",
        tag: "terminals",
        responses: { 201: "Opened", 429: "Too many terminals" },
      },
      async (c) => {
        const record = deps.service.getValid(idParam(c));
        const parent = record.parentId === null ? null : deps.service.getValid(record.parentId);
        const terminal = await deps.terminals.open(record, parent);
        deps.audit.record({
          ...actorOf(c),
          action: "terminal.open",
          target: record.slug,
          detail: { terminal: terminal.id },
        });
        return c.json({ id: terminal.id, instance_id: record.id }, 201);
      },
    )
    .route(
      {
        method: "get",
        path: "/api/instances/:id/terminals",
        summary: "Live terminals of an instance",
        tag: "terminals",
      },
      (c) => {
        const record = deps.service.get(idParam(c));
        return c.json({ terminals: deps.terminals.list(record.id) });
      },
    )
    .route(
      {
        method: "delete",
        path: "/api/terminals/:terminal",
        summary: "Close a terminal",
        tag: "terminals",
      },
      async (c) => {
        const id = c.req.param("terminal") ?? "";
        if (!/^[0-9a-f-]{36}$/.test(id) || !(await deps.terminals.close(id))) {
          throw new HttpError(404, "No such terminal");
        }
        return c.json({ ok: true });
      },
    );
}
