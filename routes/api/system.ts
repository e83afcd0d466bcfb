import type { InstanceService } from "../../lib/instances/mod.ts";
import { type ApiRouter } from "../../lib/http/mod.ts";

/** System information routes: ports (GPU info and stats come with telemetry). */
export function registerSystemRoutes(
  router: ApiRouter,
  deps: { instances: InstanceService },
): void {
  router.route(
    {
      method: "get",
      path: "/api/system/available-ports",
      summary: "Pool ports held by no instance and used by no other program",
      tag: "system",
    },
    (c) => c.json({ available_ports: deps.instances.availablePorts() }),
  );
}
