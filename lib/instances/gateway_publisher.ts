import { INSTANCE_EVENT, INSTANCE_REMOVED_EVENT } from "./instance_store.ts";
import { PROXIED_STATUSES } from "../shared/instance_status.ts";
import type { InstanceRecord } from "../db/mod.ts";
import type { BlueprintRouting, RouteTable } from "../gateway/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ApplyResult, GatewayModel, NginxGateway } from "../nginx/mod.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import type { Publication } from "./instance_dto.ts";
import type { InstanceStore } from "./instance_store.ts";

/** Statuses in which an instance's app answers through the gateway. */

/** What the publisher needs. */
export interface GatewayPublisherDeps {
  /** The managed gateway, or null with the reason it is off (shown on every instance). */
  gateway: NginxGateway | null;
  offReason: string;
  store: InstanceStore;
  blueprints: BlueprintSource;
  logger: Logger;
  /** The settings nginx is configured from (never the instances). */
  model: GatewayModel;
  /** The live routing table nginx's per-request check reads. */
  table: RouteTable;
}

/**
 * Starts the managed nginx once (its config depends on settings only) and keeps the routing
 * table in step with instance events, so a start, stop, rename or host name change is live
 * for the very next request without touching nginx. Reports each instance's publication.
 */
export class GatewayPublisher {
  readonly #d: GatewayPublisherDeps;
  #failed: string | null = null;
  #portErrors: Record<number, string> = {};
  #unsubscribe: (() => void) | null = null;

  constructor(deps: GatewayPublisherDeps) {
    this.#d = deps;
  }

  get enabled(): boolean {
    return this.#d.gateway !== null && this.#failed === null;
  }

  /** The gateway could not run at all: nothing is published, each instance says why. */
  markFailed(reason: string): void {
    this.#failed = reason;
  }

  /** Fills the routing table, follows instance events, then starts nginx. */
  async start(): Promise<ApplyResult | null> {
    const { store, table } = this.#d;
    this.#unsubscribe = store.bus.subscribe((event) => {
      if (event.type === INSTANCE_EVENT) this.#upsert(event.data as InstanceRecord);
      if (event.type === INSTANCE_REMOVED_EVENT) table.remove((event.data as { id: number }).id);
    });
    const records = store.repo.list();
    await Promise.all(records.map((record) => this.#loadRouting(record.blueprint)));
    for (const record of records) table.upsert(record);
    if (!this.#d.gateway) return null;
    const result = await this.#d.gateway.start(this.#d.model);
    this.#portErrors = result.portErrors;
    return result;
  }

  /** Whether and how `record` is published. */
  publication(record: InstanceRecord): Publication {
    const proxy = this.#d.table.get(record.id)?.routing.proxy ?? "both";
    const routes = { portRoute: proxy !== "path", pathRoute: proxy !== "port" };
    if (!this.#d.gateway) return { ok: false, reason: this.#d.offReason, ...routes };
    if (this.#failed) {
      return {
        ok: false,
        reason: `not published: the gateway failed (${this.#failed})`,
        ...routes,
      };
    }
    const portError = record.port === null ? undefined : this.#portErrors[record.port];
    if (portError && proxy === "port") {
      return { ok: false, reason: `proxy error: not published: ${portError}`, ...routes };
    }
    if (!PROXIED_STATUSES.has(record.status)) {
      return { ok: false, reason: "not running", ...routes };
    }
    if (portError) {
      return {
        ok: false,
        reason: `proxy error: published under /instance/${record.slug}/ only: ${portError}`,
        ...routes,
      };
    }
    return { ok: true, reason: null, ...routes };
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    await this.#d.gateway?.stop();
  }

  #upsert(record: InstanceRecord): void {
    this.#d.table.upsert(record);
    if (this.#d.table.hasRouting(record.blueprint)) return;
    this.#loadRouting(record.blueprint).catch((error) =>
      this.#d.logger.error("cannot read the blueprint's routes", {
        blueprint: record.blueprint,
        error: error instanceof Error ? error.message : String(error),
      })
    );
  }

  async #loadRouting(blueprint: string): Promise<void> {
    if (this.#d.table.hasRouting(blueprint)) return;
    const facts = await this.#d.blueprints.find(blueprint).catch(() => null);
    const routing: BlueprintRouting = {
      proxy: facts?.metadata?.proxy ?? "both",
      pathMode: facts?.metadata?.proxyPath ?? "strip",
    };
    this.#d.table.setRouting(blueprint, routing);
  }
}
