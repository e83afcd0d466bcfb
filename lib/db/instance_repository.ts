import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import {
  CONFIG_COLUMNS,
  type InstanceConfig,
  type InstanceRecord,
  type InstanceRow,
  type InstanceRuntime,
  rowToRecord,
  RUNTIME_COLUMNS,
} from "./instance_record.ts";

function toSql(value: unknown): SQLInputValue {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SQLInputValue;
}

function assignments<K extends string>(
  patch: Partial<Record<K, unknown>>,
  columns: Record<K, string>,
): { sql: string; values: SQLInputValue[] } {
  const parts: string[] = [];
  const values: SQLInputValue[] = [];
  for (const [key, value] of Object.entries(patch) as Array<[K, unknown]>) {
    if (value === undefined) continue;
    parts.push(`${columns[key]} = ?`);
    values.push(toSql(value));
  }
  return { sql: parts.join(", "), values };
}

/**
 * Reads and writes instance rows. Every read is validated (`invalidReason`). The full list is
 * cached until anything writes through this connection (SQLite's `total_changes()`), so
 * dashboards polling the list cost a lookup, not a scan plus validation of every row.
 */
export class InstanceRepository {
  #listCache: readonly InstanceRecord[] | null = null;
  #listCacheChanges = -1;

  constructor(private readonly db: DatabaseSync, private readonly now = () => new Date()) {}

  /** Every instance in display order (unordered ones last, by id). Records are frozen. */
  list(): readonly InstanceRecord[] {
    const changes = this.#totalChanges();
    if (this.#listCache && this.#listCacheChanges === changes) return this.#listCache;
    const rows = this.db.prepare(
      `SELECT i.* FROM instances i LEFT JOIN display_order o ON o.instance_id = i.id
       ORDER BY o.position IS NULL, o.position, i.id`,
    ).all() as unknown as InstanceRow[];
    this.#listCache = Object.freeze(rows.map((row) => Object.freeze(rowToRecord(row))));
    this.#listCacheChanges = changes;
    return this.#listCache;
  }

  #totalChanges(): number {
    const row = this.db.prepare("SELECT total_changes() AS n").get() as { n: number };
    return row.n;
  }

  get(id: number): InstanceRecord | null {
    const row = this.db.prepare("SELECT * FROM instances WHERE id = ?").get(id) as
      | InstanceRow
      | undefined;
    return row ? rowToRecord(row) : null;
  }

  getBySlug(slug: string): InstanceRecord | null {
    const row = this.db.prepare("SELECT * FROM instances WHERE slug = ?").get(slug) as
      | InstanceRow
      | undefined;
    return row ? rowToRecord(row) : null;
  }

  childrenOf(id: number): InstanceRecord[] {
    const rows = this.db.prepare("SELECT * FROM instances WHERE parent_id = ? ORDER BY id").all(
      id,
    ) as unknown as InstanceRow[];
    return rows.map(rowToRecord);
  }

  count(): number {
    const row = this.db.prepare("SELECT count(*) AS n FROM instances").get() as { n: number };
    return row.n;
  }

  /** Public ports held by instances (a port stays reserved while its instance exists). */
  usedPorts(): Set<number> {
    const rows = this.db.prepare("SELECT port FROM instances WHERE port IS NOT NULL")
      .all() as Array<
        { port: number }
      >;
    return new Set(rows.map((r) => r.port));
  }

  /** Inserts a row; a duplicate slug or port raises SQLite's UNIQUE constraint error. */
  insert(config: InstanceConfig, runtime: Partial<InstanceRuntime> = {}): InstanceRecord {
    const at = this.now().toISOString();
    const columns = [
      ...Object.values(CONFIG_COLUMNS),
      "created_at",
      "updated_at",
      "status",
      "status_message",
    ];
    const values: SQLInputValue[] = [
      ...(Object.keys(CONFIG_COLUMNS) as Array<keyof InstanceConfig>).map((k) => toSql(config[k])),
      at,
      at,
      runtime.status ?? "stopped",
      runtime.statusMessage ?? null,
    ];
    const result = this.db.prepare(
      `INSERT INTO instances (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    ).run(...values);
    const record = this.get(Number(result.lastInsertRowid));
    if (!record) throw new Error("inserted instance row vanished");
    return record;
  }

  /** Changes configuration fields; bumps `updated_at`. */
  updateConfig(id: number, patch: Partial<InstanceConfig>): InstanceRecord | null {
    const { sql, values } = assignments(patch, CONFIG_COLUMNS);
    if (sql) {
      this.db.prepare(`UPDATE instances SET ${sql}, updated_at = ? WHERE id = ?`).run(
        ...values,
        this.now().toISOString(),
        id,
      );
    }
    return this.get(id);
  }

  /** Changes runtime fields (status, pid …) without touching `updated_at`. */
  updateRuntime(id: number, patch: Partial<InstanceRuntime>): InstanceRecord | null {
    const { sql, values } = assignments(patch, RUNTIME_COLUMNS);
    if (sql) this.db.prepare(`UPDATE instances SET ${sql} WHERE id = ?`).run(...values, id);
    return this.get(id);
  }

  delete(id: number): boolean {
    return this.db.prepare("DELETE FROM instances WHERE id = ?").run(id).changes > 0;
  }

  /** Stored display order: instance ids, first to last. */
  displayOrder(): number[] {
    const rows = this.db.prepare("SELECT instance_id FROM display_order ORDER BY position")
      .all() as Array<{ instance_id: number }>;
    return rows.map((r) => r.instance_id);
  }

  /** Replaces the display order (ids must exist; the caller validates). */
  setDisplayOrder(ids: readonly number[]): void {
    this.db.exec("DELETE FROM display_order");
    const insert = this.db.prepare(
      "INSERT INTO display_order (instance_id, position) VALUES (?, ?)",
    );
    ids.forEach((id, position) => insert.run(id, position));
  }
}
