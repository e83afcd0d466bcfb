import type { DatabaseSync, StatementSync } from "node:sqlite";
import { randomBase64Url, sha256Hex } from "./secret_token.ts";

/** An API token as listed: never the token itself. */
export interface ApiTokenInfo {
  id: number;
  name: string;
  /** The first characters of the token, to recognise it. */
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A token just created; `token` is shown once and never stored. */
export interface CreatedApiToken extends ApiTokenInfo {
  token: string;
}

interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  created_at: number;
  last_used_at: number | null;
}

const TOKEN_PREFIX = "aik_";
const TOKEN_RE = /^aik_[A-Za-z0-9_-]{43}$/;
const TOUCH_EVERY_MS = 60_000;

/** Why a token name is refused, or null. */
export function tokenNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(name)) {
    return "use 1-64 letters, digits, spaces, dots, dashes or underscores";
  }
  return null;
}

/** API tokens for `Authorization: Bearer …`; SQLite holds only their SHA-256. */
export class ApiTokenStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #find: StatementSync;
  readonly #touch: StatementSync;

  constructor(db: DatabaseSync, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#find = db.prepare(
      `SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
       WHERE token_hash = ? AND revoked_at IS NULL`,
    );
    this.#touch = db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?");
  }

  /** Creates a token (`aik_` + 256 random bits). */
  create(name: string): CreatedApiToken {
    const token = TOKEN_PREFIX + randomBase64Url(32);
    const prefix = token.slice(0, 10);
    const createdAt = this.#now();
    const result = this.#db.prepare(
      "INSERT INTO api_tokens (name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?)",
    ).run(name, sha256Hex(token), prefix, createdAt);
    return { id: Number(result.lastInsertRowid), name, prefix, createdAt, lastUsedAt: null, token };
  }

  /** The live token with this value, or null. */
  find(token: string): ApiTokenInfo | null {
    if (!TOKEN_RE.test(token)) return null;
    const row = this.#find.get(sha256Hex(token)) as TokenRow | undefined;
    if (!row) return null;
    const now = this.#now();
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_EVERY_MS) {
      this.#touch.run(now, row.id);
    }
    return toInfo(row);
  }

  /** Live tokens, newest first. */
  list(): ApiTokenInfo[] {
    const rows = this.#db.prepare(
      `SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
       WHERE revoked_at IS NULL ORDER BY id DESC`,
    ).all() as unknown as TokenRow[];
    return rows.map(toInfo);
  }

  /** True while token `id` exists and is not revoked. */
  isLive(id: number): boolean {
    return this.#db.prepare("SELECT 1 FROM api_tokens WHERE id = ? AND revoked_at IS NULL")
      .get(id) !== undefined;
  }

  /** Revokes every live token; returns their ids. */
  revokeAll(): number[] {
    const ids = this.list().map((token) => token.id);
    this.#db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE revoked_at IS NULL").run(
      this.#now(),
    );
    return ids;
  }

  /** Revokes a token; the info of the revoked token, or null when there was no live one. */
  revoke(id: number): ApiTokenInfo | null {
    const row = this.#db.prepare(
      `SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
       WHERE id = ? AND revoked_at IS NULL`,
    ).get(id) as TokenRow | undefined;
    if (!row) return null;
    this.#db.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").run(this.#now(), id);
    return toInfo(row);
  }
}

function toInfo(row: TokenRow): ApiTokenInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
