import type { DatabaseSync } from "node:sqlite";
import type { AuditInput, AuditRepository, SettingsRepository } from "../db/mod.ts";
import type { Logger } from "../log/mod.ts";
import { ConcurrencyLimit } from "./concurrency_limit.ts";
import { LiveConnections } from "./live_connections.ts";
import { type PasswordHasher, passwordProblem, scryptHasher } from "./password_hash.ts";
import { ANONYMOUS_AUTH_OFF, type Principal, type RequestContext } from "./principal.ts";
import { LOGIN_LIMITS, RateLimiter, type RateLimits } from "./rate_limiter.ts";
import { readCookie, readCookies, SESSION_COOKIE, sessionCookie } from "./session_cookie.ts";
import {
  DEFAULT_LIFETIMES,
  type IssuedSession,
  type SessionLifetimes,
  SessionStore,
} from "./session_store.ts";
import { sha256Hex } from "./secret_token.ts";
import { SetupTokenIssuer } from "./setup_token.ts";
import { type ApiTokenInfo, ApiTokenStore, type CreatedApiToken } from "./token_store.ts";

/** What the auth service is built from. */
export interface AuthServiceDeps {
  db: DatabaseSync;
  settings: SettingsRepository;
  audit: AuditRepository;
  logger: Logger;
  authEnabled: boolean;
  now?: () => number;
  /** Defaults to scrypt with OWASP parameters. */
  hasher?: PasswordHasher;
  limits?: RateLimits;
  lifetimes?: SessionLifetimes;
}

/** Outcome of a password check (login or password change). */
export type PasswordOutcome =
  | { ok: true; session: IssuedSession }
  | { ok: false; reason: "invalid" | "no_password" | "auth_off" }
  | { ok: false; reason: "rate_limited"; retryAfterSeconds: number };

/** Outcome of the one-time setup. */
export type SetupOutcome =
  | { ok: true; session: IssuedSession }
  | { ok: false; reason: "bad_token" | "already_set" | "weak_password"; message: string };

const HASH_KEY = "auth.password_hash";
const COUNTED_REJECTIONS = new Set(["ws_rejected", "login_failed"]);
const MAX_PARALLEL_HASHES = 2;

/** Passwords, sessions, API tokens, the setup token and the login rate limit. */
export class AuthService {
  readonly authEnabled: boolean;
  readonly sessions: SessionStore;
  readonly tokens: ApiTokenStore;
  /** Live sockets and event streams by credential; closed when the credential ends. */
  readonly live: LiveConnections;
  readonly #deps: AuthServiceDeps;
  readonly #hasher: PasswordHasher;
  readonly #limiter: RateLimiter;
  readonly #setup: SetupTokenIssuer;
  readonly #now: () => number;
  readonly #lastRateAudit = new Map<string, number>();
  /** Each scrypt call takes ~128 MiB of memory: at most two run at once. */
  readonly #hashSlots = new ConcurrencyLimit(MAX_PARALLEL_HASHES);

  constructor(deps: AuthServiceDeps) {
    this.#deps = deps;
    this.authEnabled = deps.authEnabled;
    this.#now = deps.now ?? Date.now;
    this.#hasher = deps.hasher ?? scryptHasher;
    this.#limiter = new RateLimiter(deps.limits ?? LOGIN_LIMITS, this.#now);
    this.#setup = new SetupTokenIssuer(this.#now);
    this.sessions = new SessionStore(deps.db, this.#now, deps.lifetimes ?? DEFAULT_LIFETIMES);
    this.tokens = new ApiTokenStore(deps.db, this.#now);
    this.live = new LiveConnections(
      (credential) => this.credentialLive(credential),
      500,
      (error) => deps.logger.warn("closing a live connection failed", { error }),
    );
  }

  /** True while the credential (`session:<hash>` or `token:<id>`) can still authenticate. */
  credentialLive(credential: string): boolean {
    // Shutting down: the database closes before the last sockets do; they end with the server.
    if (!this.authEnabled || !this.#deps.db.isOpen) return true;
    const [kind, value] = credential.split(":", 2) as [string, string];
    if (kind === "session") return this.sessions.isLive(value);
    if (kind === "token") return this.tokens.isLive(Number(value));
    return false;
  }

  /** True once a password hash is stored. */
  passwordIsSet(): boolean {
    return this.#deps.settings.get(HASH_KEY) !== null;
  }

  /** Sets the password from `AIKORE_PASSWORD` when none is set yet; true when it did. */
  async applyInitialPassword(password: string | undefined): Promise<boolean> {
    if (!password || this.passwordIsSet()) return false;
    const problem = passwordProblem(password);
    if (problem) throw new RangeError(`AIKORE_PASSWORD ${problem}`);
    this.#deps.settings.set(HASH_KEY, await this.#hash(password));
    this.#setup.revoke();
    this.recordEvent("password_set", { client: "environment", actor: "system" });
    return true;
  }

  /** A fresh one-time setup token while no password is set (else null). Log it; never store it. */
  issueSetupToken(): string | null {
    if (this.passwordIsSet()) return null;
    return this.#setup.issue();
  }

  /** True when `token` is the live setup token. */
  setupTokenValid(token: string | null | undefined): boolean {
    return !this.passwordIsSet() && this.#setup.check(token);
  }

  /** Sets the first password with the setup token (used up on success) and signs in. */
  async completeSetup(
    token: string | null | undefined,
    password: string,
    context: RequestContext,
  ): Promise<SetupOutcome> {
    if (this.passwordIsSet()) {
      return { ok: false, reason: "already_set", message: "A password is already set" };
    }
    if (!this.#setup.check(token)) {
      return { ok: false, reason: "bad_token", message: "The setup link is invalid or expired" };
    }
    const problem = passwordProblem(password);
    if (problem) return { ok: false, reason: "weak_password", message: `Password ${problem}` };
    // Use the token up before the slow hash so two racing submissions cannot both pass.
    if (!this.#setup.consume(token)) {
      return { ok: false, reason: "bad_token", message: "The setup link is invalid or expired" };
    }
    this.#deps.settings.set(HASH_KEY, await this.#hash(password));
    this.sessions.deleteAll();
    const session = this.sessions.create(context.client);
    this.recordEvent("setup", { ...context, actor: "setup" });
    this.#deps.logger.info("password set through the setup link", { client: context.client });
    return { ok: true, session };
  }

  /** Checks the password (rate limited per client) and opens a new session. */
  async login(
    password: string,
    context: RequestContext & { previousSessionId?: string | null },
  ): Promise<PasswordOutcome> {
    if (!this.authEnabled) return { ok: false, reason: "auth_off" };
    const checked = await this.#checkPassword(password, context);
    if (!checked.ok) return checked;
    // Rotate: whatever session the browser had is dropped, the new id is fresh.
    if (context.previousSessionId) this.sessions.delete(context.previousSessionId);
    const session = this.sessions.create(context.client);
    this.recordEvent("login", { ...context, actor: sessionActor(sha256Hex(session.id)) });
    this.#deps.logger.info("login", { client: context.client });
    return { ok: true, session };
  }

  /** Ends a session (no-op for an unknown id). */
  logout(sessionId: string | null, context: RequestContext): void {
    if (!sessionId) return;
    if (this.sessions.delete(sessionId)) this.recordEvent("logout", context);
    this.live.end(`session:${sha256Hex(sessionId)}`);
  }

  /**
   * Changes the password after checking the current one; every session ends (with its sockets
   * and streams), a new one opens. `revokeTokens` revokes every API token too.
   */
  async changePassword(
    current: string,
    next: string,
    context: RequestContext,
    options: { revokeTokens?: boolean } = {},
  ): Promise<PasswordOutcome | { ok: false; reason: "weak_password"; message: string }> {
    const problem = passwordProblem(next);
    if (problem) return { ok: false, reason: "weak_password", message: `New password ${problem}` };
    const checked = await this.#checkPassword(current, context);
    if (!checked.ok) return checked;
    this.#deps.settings.set(HASH_KEY, await this.#hash(next));
    const ended = this.sessions.deleteAll();
    this.live.endWhere((credential) => credential.startsWith("session:"));
    const revoked = options.revokeTokens ? this.tokens.revokeAll() : [];
    for (const id of revoked) this.live.end(`token:${id}`);
    const session = this.sessions.create(context.client);
    this.recordEvent("password_changed", {
      ...context,
      detail: { sessionsEnded: ended, tokensRevoked: revoked.length },
    });
    return { ok: true, session };
  }

  /** Admin reset from the command line: a new password, or none (a setup link at next start). */
  async resetPassword(password: string | null, actor: string): Promise<{ sessionsEnded: number }> {
    if (password === null) this.#deps.settings.delete(HASH_KEY);
    else {
      const problem = passwordProblem(password);
      if (problem) throw new RangeError(`The password ${problem}`);
      this.#deps.settings.set(HASH_KEY, await this.#hash(password));
    }
    const sessionsEnded = this.sessions.deleteAll();
    this.live.endWhere((credential) => credential.startsWith("session:"));
    this.recordEvent(password === null ? "password_cleared" : "password_reset", {
      client: "cli",
      actor,
      detail: { sessionsEnded },
    });
    return { sessionsEnded };
  }

  /** The `Set-Cookie` value for a session just issued (Secure when the browser used HTTPS). */
  sessionCookieFor(session: IssuedSession, secure: boolean): string {
    return sessionCookie(session.id, {
      secure,
      maxAgeSeconds: (session.expiresAt - this.#now()) / 1000,
    });
  }

  /** The session id carried by a request's cookie, if any (not checked). */
  sessionIdFrom(headers: Headers): string | null {
    return readCookie(headers.get("cookie"), SESSION_COOKIE);
  }

  /**
   * Who sent these headers: a bearer token, else the session cookie; null when neither is valid.
   * Cheap (two SHA-256 and one indexed lookup), so it can run on every proxied request.
   */
  authenticate(headers: Headers): Principal | null {
    if (!this.authEnabled) return ANONYMOUS_AUTH_OFF;
    const authorization = headers.get("authorization");
    // Only an AiKore token counts as one: an app's own Bearer must not hide a valid session.
    if (authorization && /^bearer\s+aik_/i.test(authorization)) {
      const info = this.tokens.find(authorization.replace(/^bearer\s+/i, "").trim());
      return info
        ? {
          kind: "token",
          actor: `token:${info.name}`,
          csrfToken: null,
          credential: `token:${info.id}`,
        }
        : null;
    }
    // Any valid copy wins: a decoy tossed by an app (other path, sent first) cannot block it.
    for (const id of readCookies(headers.get("cookie"), SESSION_COOKIE)) {
      const session = this.sessions.find(id);
      if (session) {
        return {
          kind: "session",
          actor: sessionActor(session.idHash),
          csrfToken: session.csrfToken,
          credential: `session:${session.idHash}`,
        };
      }
    }
    return null;
  }

  /** Creates an API token; the token text is returned once. */
  createToken(name: string, context: RequestContext): CreatedApiToken {
    const created = this.tokens.create(name);
    this.recordEvent("token_created", {
      ...context,
      target: `token:${created.id}`,
      detail: { name },
    });
    return created;
  }

  /** Live API tokens (without their values). */
  listTokens(): ApiTokenInfo[] {
    return this.tokens.list();
  }

  /** Revokes a token; false when there is no live token with this id. */
  revokeToken(id: number, context: RequestContext): boolean {
    const revoked = this.tokens.revoke(id);
    this.live.end(`token:${id}`);
    if (revoked) {
      this.recordEvent("token_revoked", {
        ...context,
        target: `token:${id}`,
        detail: { name: revoked.name },
      });
    }
    return revoked !== null;
  }

  /** Appends an audit row. `detail` must hold no secret. */
  recordEvent(
    action: string,
    context: RequestContext & { target?: string | null; detail?: Record<string, unknown> },
  ): void {
    const detail: Record<string, unknown> = { ...context.detail };
    if (context.userAgent) detail.userAgent = context.userAgent.slice(0, 200);
    const entry: AuditInput = {
      actor: context.actor ?? "anonymous",
      action,
      target: context.target ?? null,
      client: context.client,
      detail: Object.keys(detail).length ? detail : null,
    };
    // Rejections of requests without credentials are counted per address, not a row each:
    // anyone can send them, and a row each would let them fill the disk.
    if (entry.actor === "anonymous" && COUNTED_REJECTIONS.has(action)) {
      this.#deps.audit.recordCounted(entry, String(detail.reason ?? ""));
    } else this.#deps.audit.record(entry);
  }

  async #checkPassword(password: string, context: RequestContext) {
    const stored = this.#deps.settings.get(HASH_KEY);
    if (stored === null) return { ok: false as const, reason: "no_password" as const };
    const decision = this.#limiter.attempt(context.client);
    if (!decision.allowed) {
      this.#auditRateLimit(context, decision.scope);
      return {
        ok: false as const,
        reason: "rate_limited" as const,
        retryAfterSeconds: decision.retryAfterSeconds,
      };
    }
    let valid = false;
    try {
      valid = password.length <= 1024 &&
        await this.#hashSlots.run(() => this.#hasher.verify(password, stored), decision.clean);
    } finally {
      // Only failures count: the operator's own logins never use up attempts.
      decision.finish(!valid);
    }
    if (!valid) {
      this.recordEvent("login_failed", context);
      this.#deps.logger.warn("wrong password", { client: context.client });
      return { ok: false as const, reason: "invalid" as const };
    }
    return { ok: true as const };
  }

  #auditRateLimit(context: RequestContext, scope: string): void {
    // One row per address per minute: a flood of refused attempts must not flood the audit log.
    const now = this.#now();
    const last = this.#lastRateAudit.get(context.client) ?? -Infinity;
    if (now - last < 60_000) return;
    if (this.#lastRateAudit.size > 1000) this.#lastRateAudit.clear();
    this.#lastRateAudit.set(context.client, now);
    this.recordEvent("login_rate_limited", { ...context, detail: { scope } });
    this.#deps.logger.warn("login rate limited", { client: context.client, scope });
  }

  #hash(password: string): Promise<string> {
    return this.#hashSlots.run(() => this.#hasher.hash(password));
  }
}

/** The audit actor of a session: a short prefix of its id hash (never the id). */
export function sessionActor(idHash: string): string {
  return `session:${idHash.slice(0, 12)}`;
}
