import type { InstanceRecord } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ApplyResult, GatewayInstance, GatewayModel, NginxGateway } from "../nginx/mod.ts";
import type { BlueprintSource } from "./blueprint_source.ts";
import type { Publication } from "./instance_dto.ts";
import type { InstanceStore } from "./instance_store.ts";

/** Statuses in which an instance's app may answer and is published. */
const SERVING = new Set(["starting", "started", "stalled"]);

export interface GatewayPublisherDeps {
  /** The managed gateway, or null with the reason it is off (shown on every instance). */
  gateway: NginxGateway | null;
  offReason: string;
  store: InstanceStore;
  blueprints: BlueprintSource;
  logger: Logger;
  /** Everything of the model but the instances. */
  base: Omit<GatewayModel, "instances">;
}

/** The routes an instance gets, from its blueprint's `proxy` setting (pure). */
export function gatewayInstanceOf(
  record: InstanceRecord,
  proxy: "port" | "path" | "both",
): GatewayInstance | null {
  if (!SERVING.has(record.status) || record.port === null || record.appPort === null) return null;
  if (record.invalidReason || record.persistentMode) return null;
  return {
    slug: record.slug,
    publicPort: record.port,
    upstreamPort: record.appPort,
    customHostname: record.useCustomHostname ? record.hostname : null,
    proxy,
    kind: "web",
  };
}

/**
 * Keeps the gateway in step with running instances: one apply at a time, the latest state
 * wins, and each instance knows whether (and why not) it is published.
 */
export class GatewayPublisher {
  readonly #d: GatewayPublisherDeps;
  readonly #proxyOf = new Map<string, "port" | "path" | "both">();
  #live = new Set<string>();
  #instanceErrors: Record<string, string> = {};
  #lastError: string | null = null;
  #pending: Promise<void> | null = null;
  #again = false;
  #failed: string | null = null;

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

  /** The model for the current rows. */
  async model(): Promise<GatewayModel> {
    const instances: GatewayInstance[] = [];
    for (const record of this.#d.store.repo.list()) {
      const proxy = await this.#proxy(record);
      const entry = gatewayInstanceOf(record, proxy);
      if (entry) instances.push(entry);
    }
    return { ...this.#d.base, instances };
  }

  /** Starts the managed gateway with the current model. */
  async start(): Promise<ApplyResult | null> {
    if (!this.#d.gateway) return null;
    const model = await this.model();
    const result = await this.#d.gateway.start(model);
    this.#record(model, result);
    return result;
  }

  /** Asks for a re-apply; concurrent requests collapse into one more run. */
  sync(): Promise<void> {
    if (!this.#d.gateway || this.#failed) return Promise.resolve();
    if (this.#pending) {
      this.#again = true;
      return this.#pending;
    }
    this.#pending = (async () => {
      do {
        this.#again = false;
        const model = await this.model();
        const result = await this.#d.gateway?.apply(model);
        if (result) this.#record(model, result);
      } while (this.#again);
    })().catch((error) => {
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#d.logger.error("gateway apply failed", { error: this.#lastError });
    }).finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  /** Whether and how `record` is published. */
  publication(record: InstanceRecord): Publication {
    const proxy = this.#proxyOf.get(record.blueprint) ?? "both";
    const routes = { portRoute: proxy !== "path", pathRoute: proxy !== "port" };
    if (!this.#d.gateway) return { ok: false, reason: this.#d.offReason, ...routes };
    if (this.#failed) {
      return {
        ok: false,
        reason: `not published: the gateway failed (${this.#failed})`,
        ...routes,
      };
    }
    if (!SERVING.has(record.status)) return { ok: false, reason: "not running", ...routes };
    const error = this.#instanceErrors[record.slug];
    if (error) return { ok: false, reason: `proxy error: ${error}`, ...routes };
    if (!this.#live.has(record.slug)) {
      return {
        ok: false,
        reason: this.#lastError ? `proxy error: ${this.#lastError}` : "being published",
        ...routes,
      };
    }
    return { ok: true, reason: null, ...routes };
  }

  async stop(): Promise<void> {
    await this.#pending;
    await this.#d.gateway?.stop();
  }

  #record(model: GatewayModel, result: ApplyResult): void {
    this.#instanceErrors = result.instanceErrors;
    this.#lastError = result.error;
    if (result.ok) this.#live = new Set(model.instances.map((i) => i.slug));
    else this.#d.logger.warn("gateway config not applied", { error: result.error });
    for (const record of this.#d.store.repo.list()) {
      if (SERVING.has(record.status)) this.#d.store.published(record);
    }
  }

  async #proxy(record: InstanceRecord): Promise<"port" | "path" | "both"> {
    const cached = this.#proxyOf.get(record.blueprint);
    if (cached) return cached;
    const facts = await this.#d.blueprints.find(record.blueprint).catch(() => null);
    const proxy = facts?.metadata?.proxy ?? "both";
    this.#proxyOf.set(record.blueprint, proxy);
    return proxy;
  }
}
