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

/** Bounds that keep the audit log from being used against the disk. */
export interface AuditLimits {
  /** Rows kept; the oldest go first. */
  maxRows: number;
  /** Approximate bytes of row text kept; the oldest go first. */
  maxBytes: number;
  /** Repeated rejections from one address count into one row per window. */
  countWindowMs: number;
}

export const DEFAULT_AUDIT_LIMITS: AuditLimits = {
  maxRows: 50_000,
  maxBytes: 8 * 1024 * 1024,
  countWindowMs: 10 * 60_000,
};

/** Longest stored text per field; longer values are cut with a marker. */
const FIELD_CHARS = { actor: 100, action: 64, target: 256, client: 64, detail: 1024 } as const;
const PRUNE_EVERY = 100;
/** Approximate stored size of a row (text lengths plus a fixed overhead). */
const ROW_BYTES = "length(at) + length(actor) + length(action) + IFNULL(length(target), 0) + " +
  "IFNULL(length(client), 0) + IFNULL(length(detail), 0) + 16";
const FLUSH_AFTER_MS = 1000;
const MAX_COUNTERS = 10_000;

interface Counter {
  id: number;
  windowStart: number;
  count: number;
  detail: Record<string, unknown>;
  dirty: boolean;
}

function cut(text: string | null, max: number): string | null {
  if (text === null || text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

function detailText(detail: Record<string, unknown> | null): string | null {
  if (!detail) return null;
  const text = JSON.stringify(detail);
  if (text.length <= FIELD_CHARS.detail) return text;
  return JSON.stringify({ truncated: true, text: text.slice(0, FIELD_CHARS.detail - 64) });
}

/**
 * The audit log: fields truncated, the table capped by rows and bytes (oldest dropped first),
 * and repeated rejections counted into one row per address and window instead of a row each.
 */
export class AuditRepository {
  readonly #limits: AuditLimits;
  readonly #counters = new Map<string, Counter>();
  #sincePrune = 0;
  #totals: { rows: number; bytes: number } | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: DatabaseSync,
    private readonly now = () => new Date(),
    limits: Partial<AuditLimits> = {},
  ) {
    this.#limits = { ...DEFAULT_AUDIT_LIMITS, ...limits };
  }

  record(entry: AuditInput): void {
    this.#insert(entry);
  }

  /**
   * Records a rejection: the first one from `entry.client` (per action and `key`) in a window is
   * a row with `detail.count`; the next ones only raise the count (written at most once a second).
   */
  recordCounted(entry: AuditInput, key = ""): void {
    const counterKey = `${entry.action}\u0000${entry.client ?? ""}\u0000${key}`;
    const now = this.now().getTime();
    const counter = this.#counters.get(counterKey);
    if (counter && now - counter.windowStart < this.#limits.countWindowMs) {
      counter.count++;
      counter.detail = {
        ...counter.detail,
        count: counter.count,
        last: new Date(now).toISOString(),
      };
      counter.dirty = true;
      this.#scheduleFlush();
      return;
    }
    if (this.#counters.size >= MAX_COUNTERS) {
      this.flush();
      this.#counters.clear();
    }
    const detail = { ...entry.detail, count: 1 };
    const id = this.#insert({ ...entry, detail });
    this.#counters.set(counterKey, { id, windowStart: now, count: 1, detail, dirty: false });
  }

  /** Writes pending counts now. */
  flush(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const update = this.db.prepare("UPDATE audit_log SET detail = ? WHERE id = ?");
    for (const counter of this.#counters.values()) {
      if (!counter.dirty) continue;
      counter.dirty = false;
      update.run(detailText(counter.detail), counter.id);
    }
  }

  /** Newest first, at most `limit`, optionally before id `before` (for paging). */
  list(options: { limit: number; before?: number; action?: string }): AuditEntry[] {
    if (this.db.isOpen) this.flush();
    const actions = options.action === undefined ? null : actionAliases(options.action);
    const rows = this.db.prepare(
      `SELECT * FROM audit_log WHERE (? IS NULL OR id < ?) AND (? IS NULL OR action IN (?, ?))
       ORDER BY id DESC LIMIT ?`,
    ).all(
      options.before ?? null,
      options.before ?? null,
      actions?.[0] ?? null,
      actions?.[0] ?? null,
      actions?.[1] ?? null,
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

  /**
   * Drops the oldest rows beyond the row and byte caps, down to 90 % of each so that the
   * (linear) trimming runs rarely; returns how many went. Cheap while under the caps: the
   * totals are kept in memory after one aggregate query.
   */
  prune(): number {
    this.#sincePrune = 0;
    const totals = this.#totals ??= this.#measure();
    if (totals.rows <= this.#limits.maxRows && totals.bytes <= this.#limits.maxBytes) return 0;
    let removed = 0;
    if (totals.rows > this.#limits.maxRows) {
      const keep = Math.floor(this.#limits.maxRows * 0.9);
      const cut = this.db.prepare("SELECT id FROM audit_log ORDER BY id DESC LIMIT 1 OFFSET ?")
        .get(keep) as { id: number } | undefined;
      if (cut) removed += this.#deleteUpTo(cut.id);
    }
    if (totals.bytes <= this.#limits.maxBytes) return removed;
    const byteCut = this.db.prepare(
      `SELECT id FROM (
         SELECT id, SUM(${ROW_BYTES}) OVER (ORDER BY id DESC) AS running FROM audit_log)
       WHERE running > ? LIMIT 1`,
    ).get(Math.floor(this.#limits.maxBytes * 0.9)) as { id: number } | undefined;
    if (byteCut) removed += this.#deleteUpTo(byteCut.id);
    return removed;
  }

  /** Deletes rows with id ≤ `id`, keeping the in-memory totals right. */
  #deleteUpTo(id: number): number {
    const gone = this.#measure(id);
    this.db.prepare("DELETE FROM audit_log WHERE id <= ?").run(id);
    const totals = this.#totals ??= { rows: 0, bytes: 0 };
    totals.rows = Math.max(0, totals.rows - gone.rows);
    totals.bytes = Math.max(0, totals.bytes - gone.bytes);
    return gone.rows;
  }

  #measure(upToId = Number.MAX_SAFE_INTEGER): { rows: number; bytes: number } {
    const row = this.db.prepare(
      `SELECT COUNT(*) AS rows, IFNULL(SUM(${ROW_BYTES}), 0) AS bytes FROM audit_log WHERE id <= ?`,
    ).get(upToId) as { rows: number; bytes: number };
    return { rows: Number(row.rows), bytes: Number(row.bytes) };
  }

  #insert(entry: AuditInput): number {
    const values = [
      this.now().toISOString(),
      cut(entry.actor, FIELD_CHARS.actor) ?? "",
      cut(entry.action, FIELD_CHARS.action) ?? "",
      cut(entry.target, FIELD_CHARS.target),
      cut(entry.client, FIELD_CHARS.client),
      detailText(entry.detail),
    ];
    const result = this.db.prepare(
      "INSERT INTO audit_log (at, actor, action, target, client, detail) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(...values);
    if (this.#totals) {
      this.#totals.rows++;
      this.#totals.bytes += values.reduce((sum, v) => sum + (v?.length ?? 0), 16);
    }
    if (++this.#sincePrune >= PRUNE_EVERY) this.prune();
    return Number(result.lastInsertRowid);
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== null) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      // The database may have closed at shutdown; the counts of the last second are lost then.
      if (this.db.isOpen) this.flush();
    }, FLUSH_AFTER_MS);
    Deno.unrefTimer(this.#flushTimer);
  }
}

/**
 * Auth events are shown as `auth.<event>` (the filter's example is `auth.login`); rows written
 * before that name carry the bare event name, so the filter matches both spellings.
 */
export function actionAliases(action: string): [string, string] {
  if (action.startsWith("auth.")) return [action, action.slice(5)];
  return [action, AUTH_EVENTS.has(action) ? `auth.${action}` : action];
}

/** Events of the auth service, stored as `auth.<event>`. */
export const AUTH_EVENTS: ReadonlySet<string> = new Set([
  "login",
  "logout",
  "login_failed",
  "login_rate_limited",
  "setup",
  "password_set",
  "password_changed",
  "password_reset",
  "password_cleared",
  "token_created",
  "token_revoked",
  "ws_rejected",
]);
