import type { DatabaseSync, StatementSync } from "node:sqlite";
import { randomBase64Url, randomHex, sha256Hex } from "./secret_token.ts";

/** Session lifetimes in milliseconds. */
export interface SessionLifetimes {
  /** Signed out after this long without a request. */
  idleMs: number;
  /** Signed out this long after login, however active. */
  absoluteMs: number;
}

/** 12 h idle, 7 days absolute: a forgotten browser does not stay logged in for good. */
export const DEFAULT_LIFETIMES: SessionLifetimes = {
  idleMs: 12 * 3600_000,
  absoluteMs: 7 * 24 * 3600_000,
};

/** A session just created: `id` goes into the cookie and is never stored. */
export interface IssuedSession {
  id: string;
  csrfToken: string;
  expiresAt: number;
}

/** A live session as found by its id. */
export interface ActiveSession {
  idHash: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

interface SessionRow {
  id_hash: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** Writing last-seen on every request would cost a disk write each; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;
const ID_RE = /^[A-Za-z0-9_-]{43}$/;

/** Server-side sessions; SQLite holds only the SHA-256 of each id. */
export class SessionStore {
  readonly #db: DatabaseSync;
  readonly #lifetimes: SessionLifetimes;
  readonly #now: () => number;
  readonly #find: StatementSync;
  readonly #touch: StatementSync;
  readonly #delete: StatementSync;

  constructor(
    db: DatabaseSync,
    now: () => number,
    lifetimes: SessionLifetimes = DEFAULT_LIFETIMES,
  ) {
    this.#db = db;
    this.#now = now;
    this.#lifetimes = lifetimes;
    this.#find = db.prepare(
      "SELECT id_hash, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?",
    );
    this.#touch = db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?");
    this.#delete = db.prepare("DELETE FROM sessions WHERE id_hash = ?");
  }

  /** Creates a session with a fresh 256-bit id and CSRF token. */
  create(client: string | null): IssuedSession {
    const now = this.#now();
    this.purgeExpired();
    const id = randomBase64Url(32);
    const csrfToken = randomHex(32);
    const expiresAt = now + this.#lifetimes.absoluteMs;
    this.#db.prepare(
      `INSERT INTO sessions (id_hash, csrf_token, created_at, last_seen_at, expires_at, client)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(sha256Hex(id), csrfToken, now, now, expiresAt, client);
    return { id, csrfToken, expiresAt };
  }

  /** The live session with this id, or null (unknown, idle too long or past its expiry). */
  find(id: string): ActiveSession | null {
    if (!ID_RE.test(id)) return null;
    const idHash = sha256Hex(id);
    const row = this.#find.get(idHash) as SessionRow | undefined;
    if (!row) return null;
    const now = this.#now();
    if (now >= row.expires_at || now - row.last_seen_at >= this.#lifetimes.idleMs) {
      this.#delete.run(idHash);
      return null;
    }
    if (now - row.last_seen_at >= TOUCH_EVERY_MS) this.#touch.run(now, idHash);
    return {
      idHash,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /** True while the session with this id hash is live (no touch: used by the socket sweep). */
  isLive(idHash: string): boolean {
    const row = this.#find.get(idHash) as SessionRow | undefined;
    if (!row) return false;
    const now = this.#now();
    return now < row.expires_at && now - row.last_seen_at < this.#lifetimes.idleMs;
  }

  /** Ends one session; true when it existed. */
  delete(id: string): boolean {
    return this.#delete.run(sha256Hex(id)).changes > 0;
  }

  /** Ends every session (after a password change or reset); returns how many ended. */
  deleteAll(): number {
    return Number(this.#db.prepare("DELETE FROM sessions").run().changes);
  }

  /** Removes sessions past either expiry. */
  purgeExpired(): void {
    const now = this.#now();
    this.#db.prepare("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?").run(
      now,
      now - this.#lifetimes.idleMs,
    );
  }
}
