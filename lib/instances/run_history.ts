/**
 * Run history: one row per run of an instance (migration 004), recorded from the instance
 * events on the bus, so the lifecycle code stays untouched. A run opens when the instance
 * starts and closes when it stops, exits or fails.
 */
import type { DatabaseSync } from "node:sqlite";
import type { InstanceRecord } from "../db/mod.ts";
import {
  describeChange,
  environmentChanges,
  type EnvironmentSnapshot,
} from "../shared/environment_snapshot.ts";
import type { RunEntry } from "../shared/run_entry.ts";

export type { RunEntry };
import type { BusEvent, EventBus } from "./event_bus.ts";
import { INSTANCE_EVENT, INSTANCE_REMOVED_EVENT } from "./instance_store.ts";

/** How many runs are kept per instance. */
export const RUNS_KEPT = 50;

interface RunRow extends Omit<RunEntry, "environment"> {
  id: number;
  environment: string | null;
  environment_healthy: number | null;
}

function parseSnapshot(text: string | null): EnvironmentSnapshot | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as EnvironmentSnapshot;
  } catch {
    return null;
  }
}

const OPENS = new Set(["starting", "started"]);
const CLOSES = new Set(["stopped", "exited", "error"]);

/** Records runs from bus events and lists them. */
export class RunHistory {
  #unsubscribe: () => void = () => {};

  constructor(private readonly db: DatabaseSync, private readonly now = () => new Date()) {}

  /**
   * Follows the bus. Runs left open by an earlier AiKore process are closed as
   * "interrupted" first: their end was not seen.
   */
  start(bus: EventBus): void {
    this.db.prepare(
      "UPDATE instance_runs SET ended_at = ?, outcome = 'interrupted' WHERE ended_at IS NULL",
    ).run(this.now().toISOString());
    this.#unsubscribe = bus.subscribe((event) => this.record(event));
  }

  stop(): void {
    this.#unsubscribe();
  }

  /** Applies one bus event. */
  record(event: BusEvent): void {
    if (event.type === INSTANCE_REMOVED_EVENT) {
      const { id } = event.data as { id: number };
      this.db.prepare("DELETE FROM instance_runs WHERE instance_id = ?").run(id);
      return;
    }
    if (event.type !== INSTANCE_EVENT) return;
    const record = event.data as InstanceRecord;
    const open = this.db.prepare(
      "SELECT id FROM instance_runs WHERE instance_id = ? AND ended_at IS NULL",
    ).get(record.id) as { id: number } | undefined;
    if (OPENS.has(record.status) && !open) {
      this.db.prepare("INSERT INTO instance_runs (instance_id, started_at) VALUES (?, ?)").run(
        record.id,
        record.startedAt ?? this.now().toISOString(),
      );
      this.#trim(record.id);
    } else if (CLOSES.has(record.status) && open) {
      this.db.prepare(
        "UPDATE instance_runs SET ended_at = ?, outcome = ?, exit_code = ?, exit_signal = ? WHERE id = ?",
      ).run(
        this.now().toISOString(),
        record.status,
        record.exitCode,
        record.exitSignal,
        open.id,
      );
    }
  }

  /** The runs of an instance, newest first, each environment compared with the last that worked. */
  list(instanceId: number, limit = RUNS_KEPT): RunEntry[] {
    const rows = this.db.prepare(
      `SELECT id, started_at, ended_at, outcome, exit_code, exit_signal, environment,
              environment_healthy
       FROM instance_runs WHERE instance_id = ? ORDER BY id DESC LIMIT ?`,
    ).all(instanceId, limit) as unknown as RunRow[];
    const snapshots = rows.map((row) => parseSnapshot(row.environment));
    return rows.map(({ id: _id, environment: _text, environment_healthy, ...run }, index) => {
      const snapshot = snapshots[index] ?? null;
      if (snapshot === null) return { ...run, environment: null };
      // The base: the nearest older run whose environment was recorded healthy.
      const base = rows.findIndex((row, at) =>
        at > index && row.environment_healthy === 1 && snapshots[at] !== null
      );
      const baseSnapshot = base < 0 ? null : snapshots[base] ?? null;
      return {
        ...run,
        environment: {
          python: snapshot.python,
          packages: Object.keys(snapshot.packages).length,
          checkouts: Object.keys(snapshot.checkouts).length,
          healthy: environment_healthy === 1,
          changes: baseSnapshot === null ? null : environmentChanges(baseSnapshot, snapshot),
          since: base < 0 ? null : rows[base]?.started_at ?? null,
        },
      };
    });
  }

  /**
   * What changed in the environment of the instance's newest run since the last run that worked,
   * in words, when that run failed before it was healthy and something did change; else null.
   */
  failedRunChanges(instanceId: number): string[] | null {
    // Asked for every failed instance each time it is presented: two rows read, not fifty.
    const latest = this.db.prepare(
      `SELECT id, environment, environment_healthy FROM instance_runs WHERE instance_id = ?
       ORDER BY id DESC LIMIT 1`,
    ).get(instanceId) as Pick<RunRow, "id" | "environment" | "environment_healthy"> | undefined;
    if (!latest || latest.environment_healthy !== 0) return null;
    const base = this.db.prepare(
      `SELECT environment FROM instance_runs WHERE instance_id = ? AND id < ?
       AND environment_healthy = 1 ORDER BY id DESC LIMIT 1`,
    ).get(instanceId, latest.id) as Pick<RunRow, "environment"> | undefined;
    const before = parseSnapshot(base?.environment ?? null);
    const after = parseSnapshot(latest.environment);
    if (before === null || after === null) return null;
    const changes = environmentChanges(before, after);
    return changes.length === 0 ? null : changes.map(describeChange);
  }

  /** The newest run of an instance (the one running, or the one that just ended), or null. */
  latestRun(instanceId: number): number | null {
    const row = this.db.prepare(
      "SELECT id FROM instance_runs WHERE instance_id = ? ORDER BY id DESC LIMIT 1",
    ).get(instanceId) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /** Keeps what a run's environment held; `healthy`: recorded once the app was healthy. */
  recordEnvironment(runId: number, snapshot: EnvironmentSnapshot, healthy: boolean): void {
    this.db.prepare(
      "UPDATE instance_runs SET environment = ?, environment_healthy = ? WHERE id = ?",
    ).run(JSON.stringify(snapshot), healthy ? 1 : 0, runId);
  }

  #trim(instanceId: number): void {
    this.db.prepare(
      `DELETE FROM instance_runs WHERE instance_id = ? AND id NOT IN
       (SELECT id FROM instance_runs WHERE instance_id = ? ORDER BY id DESC LIMIT ?)`,
    ).run(instanceId, instanceId, RUNS_KEPT);
  }
}
