import type { InstanceRecord } from "../db/mod.ts";
import type { InstanceStatus } from "../shared/instance_schema.ts";

/** Which routes a blueprint's app gets, and how the path route hands it the path. */
export interface BlueprintRouting {
  proxy: "port" | "path" | "both";
  /** `strip`: the app sees `/…`; `keep`: it sees `/instance/<slug>/…` (base-URL apps). */
  pathMode: "strip" | "keep";
}

/** One instance as the gateway routes it, right now. */
export interface RouteEntry {
  id: number;
  slug: string;
  name: string;
  status: InstanceStatus;
  statusMessage: string | null;
  /** The public pool port. */
  port: number | null;
  /** The app's 127.0.0.1 port while it runs (a desktop instance: its web client's). */
  appPort: number | null;
  /** The custom host name in use, or null. */
  hostname: string | null;
  routing: BlueprintRouting;
  /** Why it is never proxied (invalid row, desktop mode), or null. */
  unpublishable: string | null;
}

const DEFAULT_ROUTING: BlueprintRouting = { proxy: "both", pathMode: "strip" };
// The desktop's web root answers under "/" and "/instance/<slug>/" alike (lib/desktop).
const DESKTOP_ROUTING: BlueprintRouting = { proxy: "both", pathMode: "keep" };

/**
 * The live routing table nginx's per-request check reads: kept current from instance events
 * (no database read per request). Duplicate ports or host names never block anyone: the
 * lowest id keeps the name, the others simply do not get it.
 */
export class RouteTable {
  readonly #byId = new Map<number, RouteEntry>();
  #byPort = new Map<number, RouteEntry>();
  #bySlug = new Map<string, RouteEntry>();
  #byHost = new Map<string, RouteEntry>();
  readonly #routing = new Map<string, BlueprintRouting>();
  readonly #blueprintOf = new Map<number, string>();
  /** Desktop instances: routed to their viewer whatever their blueprint says. */
  readonly #desktops = new Set<number>();

  /** Routes for `blueprint` from now on (its metadata was read). */
  setRouting(blueprint: string, routing: BlueprintRouting): void {
    this.#routing.set(blueprint, routing);
    for (const [id, entry] of this.#byId) {
      if (this.#blueprintOf.get(id) !== blueprint || this.#desktops.has(id)) continue;
      this.#byId.set(id, { ...entry, routing });
    }
    this.#reindex();
  }

  /** Whether `blueprint`'s routing is known yet. */
  hasRouting(blueprint: string): boolean {
    return this.#routing.has(blueprint);
  }

  /** The instance changed (or appeared). */
  upsert(record: InstanceRecord): void {
    this.#blueprintOf.set(record.id, record.blueprint);
    if (record.persistentMode) this.#desktops.add(record.id);
    else this.#desktops.delete(record.id);
    this.#byId.set(record.id, {
      id: record.id,
      slug: record.slug,
      name: record.name,
      status: record.status,
      statusMessage: record.statusMessage,
      port: record.port,
      // A desktop instance publishes its desktop's web client (viewer + WebSocket), not the app.
      appPort: record.persistentMode ? record.vncPort : record.appPort,
      hostname: record.useCustomHostname && record.hostname ? record.hostname.toLowerCase() : null,
      routing: record.persistentMode
        ? DESKTOP_ROUTING
        : this.#routing.get(record.blueprint) ?? DEFAULT_ROUTING,
      unpublishable: record.invalidReason
        ? `its settings are invalid (${record.invalidReason})`
        : null,
    });
    this.#reindex();
  }

  remove(id: number): void {
    this.#byId.delete(id);
    this.#desktops.delete(id);
    this.#blueprintOf.delete(id);
    this.#reindex();
  }

  get(id: number): RouteEntry | null {
    return this.#byId.get(id) ?? null;
  }

  byPort(port: number): RouteEntry | null {
    return this.#byPort.get(port) ?? null;
  }

  bySlug(slug: string): RouteEntry | null {
    return this.#bySlug.get(slug) ?? null;
  }

  byHost(hostname: string): RouteEntry | null {
    return this.#byHost.get(hostname.toLowerCase()) ?? null;
  }

  /** Every custom host name routed now. */
  hostnames(): string[] {
    return [...this.#byHost.keys()];
  }

  #reindex(): void {
    const byPort = new Map<number, RouteEntry>();
    const bySlug = new Map<string, RouteEntry>();
    const byHost = new Map<string, RouteEntry>();
    const ordered = [...this.#byId.values()].sort((a, b) => a.id - b.id);
    for (const entry of ordered) {
      if (entry.port !== null && !byPort.has(entry.port)) byPort.set(entry.port, entry);
      if (!bySlug.has(entry.slug)) bySlug.set(entry.slug, entry);
      if (entry.hostname && !byHost.has(entry.hostname)) byHost.set(entry.hostname, entry);
    }
    this.#byPort = byPort;
    this.#bySlug = bySlug;
    this.#byHost = byHost;
  }
}
