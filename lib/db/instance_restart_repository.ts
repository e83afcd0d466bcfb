import type { DatabaseSync } from "node:sqlite";

/** A pending automatic restart: due time (epoch ms) and the quick failures behind it. */
export interface PendingRestart {
  instanceId: number;
  dueAt: number;
  failures: number;
}

/** Pending automatic restarts of instances (table `instance_restarts`). */
export class InstanceRestartRepository {
  constructor(private readonly db: DatabaseSync) {}

  get(instanceId: number): PendingRestart | null {
    const row = this.db.prepare(
      "SELECT instance_id, due_at, failures FROM instance_restarts WHERE instance_id = ?",
    ).get(instanceId) as { instance_id: number; due_at: number; failures: number } | undefined;
    return row ? { instanceId: row.instance_id, dueAt: row.due_at, failures: row.failures } : null;
  }

  set(pending: PendingRestart): void {
    this.db.prepare(
      `INSERT INTO instance_restarts (instance_id, due_at, failures) VALUES (?, ?, ?)
       ON CONFLICT (instance_id) DO UPDATE SET due_at = excluded.due_at, failures = excluded.failures`,
    ).run(pending.instanceId, Math.trunc(pending.dueAt), pending.failures);
  }

  clear(instanceId: number): void {
    this.db.prepare("DELETE FROM instance_restarts WHERE instance_id = ?").run(instanceId);
  }
}
