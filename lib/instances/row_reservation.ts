import type { DatabaseSync } from "node:sqlite";
import { type InstanceConfig, type InstanceRecord, transaction } from "../db/mod.ts";
import type { InstanceRepository } from "../db/mod.ts";
import { pickFreePort, poolPortProblem, type PortProbe, type PortRange } from "../ports/mod.ts";
import { slugProblem } from "../shared/identifiers.ts";
import { DomainError, invalidInput, stateConflict } from "../shared/domain_error.ts";

function isUniqueViolation(error: unknown, column: string): boolean {
  return error instanceof Error && /UNIQUE constraint failed/.test(error.message) &&
    error.message.includes(`instances.${column}`);
}

/** The configuration part of a record (what a copy, a trash manifest or a restore carries). */
export function configOf(record: InstanceRecord): InstanceConfig {
  return {
    parentId: record.parentId,
    name: record.name,
    slug: record.slug,
    blueprint: record.blueprint,
    gpuIds: record.gpuIds,
    autostart: record.autostart,
    persistentMode: record.persistentMode,
    hostname: record.hostname,
    useCustomHostname: record.useCustomHostname,
    outputPath: record.outputPath,
    port: record.port,
    restartPolicy: record.restartPolicy,
    pythonVersion: record.pythonVersion,
    cudaVersion: record.cudaVersion,
    torchVersion: record.torchVersion,
    idleStopMinutes: record.idleStopMinutes ?? null,
  };
}

/**
 * New rows with unique slugs and public ports: the slug checked before anything is written, the
 * port chosen and the row inserted in one transaction (the UNIQUE constraints are the lock).
 */
export class RowReservation {
  constructor(
    private readonly db: DatabaseSync,
    private readonly repo: InstanceRepository,
    readonly portRange: PortRange,
    readonly portInUse: PortProbe,
  ) {}

  /** `slug`, or `name` used as the slug; 422 naming `field` when invalid, 409 when taken. */
  resolveSlug(slug: string | undefined, name: string, field: string): string {
    const candidate = slug ?? name;
    const problem = slugProblem(candidate);
    if (problem) {
      throw invalidInput(
        field,
        slug === undefined ? `${problem} (or give a separate "slug")` : problem,
      );
    }
    const holder = this.repo.getBySlug(candidate);
    if (holder) {
      throw stateConflict(`An instance with slug "${candidate}" already exists ("${holder.name}")`);
    }
    return candidate;
  }

  /** Picks or checks the public port; call inside the transaction that writes the row. */
  choosePort(requested: number | null, selfId: number | null): number {
    if (requested !== null) {
      const problem = poolPortProblem(this.portRange, requested);
      if (problem) throw invalidInput("port", problem);
      const holder = this.repo.list().find((r) => r.port === requested && r.id !== selfId);
      if (holder) {
        throw stateConflict(`Port ${requested} is already used by instance "${holder.name}"`);
      }
      if (this.portInUse(requested)) {
        throw stateConflict(`Port ${requested} is used by another program on this host`);
      }
      return requested;
    }
    const port = pickFreePort(this.portRange, this.repo.usedPorts(), this.portInUse);
    if (port === null) {
      throw new DomainError(
        "unavailable",
        `No free port left in the pool ${this.portRange.start}-${this.portRange.end}`,
      );
    }
    return port;
  }

  /**
   * Inserts the row and reserves its port in one transaction; `beforeCommit` runs inside it
   * (e.g. publishing the staged folder), so a failure there leaves no row.
   */
  insert(
    config: InstanceConfig,
    requestedPort: number | null,
    status: "stopped" | "installing" = "stopped",
    beforeCommit?: (record: InstanceRecord) => void,
  ): InstanceRecord {
    try {
      return transaction(this.db, () => {
        const port = this.choosePort(requestedPort, null);
        const record = this.repo.insert({ ...config, port }, { status });
        beforeCommit?.(record);
        return record;
      });
    } catch (error) {
      throw this.translateUnique(error, config.slug);
    }
  }

  /** Runs `work` in a transaction, turning UNIQUE violations into clear conflicts. */
  update<T>(slug: string, work: () => T): T {
    try {
      return transaction(this.db, work);
    } catch (error) {
      throw this.translateUnique(error, slug);
    }
  }

  /** `requested` when it is in the pool and free, else null (a new one is picked). */
  reusablePort(requested: number | null): number | null {
    if (requested === null || poolPortProblem(this.portRange, requested)) return null;
    if (this.repo.usedPorts().has(requested) || this.portInUse(requested)) return null;
    return requested;
  }

  /** Public pool ports not held by an instance nor used by another process. */
  availablePorts(): number[] {
    const held = this.repo.usedPorts();
    const free: number[] = [];
    for (let port = this.portRange.start; port <= this.portRange.end; port++) {
      if (!held.has(port) && !this.portInUse(port)) free.push(port);
    }
    return free;
  }

  translateUnique(error: unknown, slug: string): unknown {
    if (isUniqueViolation(error, "slug")) {
      return stateConflict(`An instance with slug "${slug}" already exists`);
    }
    if (isUniqueViolation(error, "port")) return stateConflict("That port was just taken; retry");
    return error;
  }
}
