import type { DatabaseSync } from "node:sqlite";

/** One audit entry. `detail` must never hold secrets. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  client: string | null;
  detail: Record<string, unknown> | null;
}

/** What a caller records; id and time are filled in. */
export type AuditInput = Omit<AuditEntry, "id" | "at">;

/** Append-only audit log. */
export class AuditRepository {
  constructor(private readonly db: DatabaseSync, private readonly now = () => new Date()) {}

  record(entry: AuditInput): void {
    this.db.prepare(
      "INSERT INTO audit_log (at, actor, action, target, client, detail) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(
      this.now().toISOString(),
      entry.actor,
      entry.action,
      entry.target,
      entry.client,
      entry.detail ? JSON.stringify(entry.detail) : null,
    );
  }

  /** Newest first, at most `limit`, optionally before id `before` (for paging). */
  list(options: { limit: number; before?: number; action?: string }): AuditEntry[] {
    const rows = this.db.prepare(
      `SELECT * FROM audit_log WHERE (? IS NULL OR id < ?) AND (? IS NULL OR action = ?)
       ORDER BY id DESC LIMIT ?`,
    ).all(
      options.before ?? null,
      options.before ?? null,
      options.action ?? null,
      options.action ?? null,
      options.limit,
    ) as Array<Omit<AuditEntry, "detail"> & { detail: string | null }>;
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      action: row.action,
      target: row.target,
      client: row.client,
      detail: row.detail ? JSON.parse(row.detail) : null,
    }));
  }
}
