/**
 * A real AiKore with managed nginx and the plane test app's blueprints (tier 2): helpers to
 * create, start and stop instances and wait for their status through the API.
 */
import { planeBlueprints } from "../fixtures/gateway/plane_blueprints.ts";
import { type ServerHarness, startServerHarness } from "./server_harness.ts";
import type { StartOptions } from "../../server.ts";

/** An AiKore harness with nginx managed and the plane blueprints. */
export interface GatewayHarness extends ServerHarness {
  create(name: string, blueprint?: string, extra?: Record<string, unknown>): Promise<InstanceDto>;
  start(id: number): Promise<InstanceDto>;
  /** Creates an instance, starts it and waits until its health check passed. */
  started(name: string, blueprint?: string, extra?: Record<string, unknown>): Promise<InstanceDto>;
  stop(id: number): Promise<InstanceDto>;
  dto(id: number): Promise<InstanceDto>;
  waitStatus(id: number, status: string, timeoutMs?: number): Promise<InstanceDto>;
  /** nginx's error log so far. */
  nginxLog(): Promise<string>;
}

/** The fields of an instance the tests read. */
export interface InstanceDto {
  id: number;
  name: string;
  slug: string;
  status: string;
  port: number;
  published: { ok: boolean; reason: string | null };
  urls: { port: string; path: string };
}

async function json(response: Response): Promise<InstanceDto> {
  const body = await response.json();
  if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Starts AiKore with nginx managed and the plane blueprints; `env` overrides. */
export async function startGatewayHarness(
  env: Record<string, string> = {},
  start: Pick<StartOptions, "idleTiming"> = {},
): Promise<GatewayHarness> {
  const blueprints = await planeBlueprints();
  const h = await startServerHarness({
    AIKORE_NGINX: "managed",
    AIKORE_BLUEPRINTS_DIR: blueprints,
    ...env,
  }, { start });
  const dto = async (id: number) => json(await h.fetch(`/api/instances/${id}`));
  const waitStatus = async (id: number, status: string, timeoutMs = 20_000) => {
    const deadline = performance.now() + timeoutMs;
    let last: InstanceDto | null = null;
    while (performance.now() < deadline) {
      last = await dto(id);
      if (last.status === status) return last;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`instance ${id} not ${status} in time (last: ${last?.status})`);
  };
  const create = async (
    name: string,
    blueprint = "plane_app.sh",
    extra: Record<string, unknown> = {},
  ) =>
    json(
      await h.fetch("/api/instances", {
        method: "POST",
        body: JSON.stringify({ name, base_blueprint: blueprint, ...extra }),
      }),
    );
  const startInstance = async (id: number) =>
    json(await h.fetch(`/api/instances/${id}/start`, { method: "POST" }));
  return {
    ...h,
    create,
    start: startInstance,
    async started(name, blueprint, extra) {
      const app = await create(name, blueprint, extra);
      await startInstance(app.id);
      return await waitStatus(app.id, "started");
    },
    stop: async (id) => json(await h.fetch(`/api/instances/${id}/stop`, { method: "POST" })),
    dto,
    waitStatus,
    nginxLog: () => Deno.readTextFile(`${h.dataDir}/nginx/logs/error.log`),
    async close() {
      await h.close();
      await Deno.remove(blueprints, { recursive: true }).catch(() => {});
    },
  };
}
