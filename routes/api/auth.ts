import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  type AuthService,
  clearedSessionCookie,
  type IssuedSession,
  type PasswordOutcome,
  tokenNameProblem,
} from "../../lib/auth/mod.ts";
import type { AuditRepository } from "../../lib/db/mod.ts";
import { ApiRouter, type AppEnv, readJson } from "../../lib/http/mod.ts";
import { requestContext, requestIsHttps } from "../../lib/http/security/mod.ts";
import { HttpError } from "../../lib/shared/http_error.ts";

/** What the auth API needs. */
export interface AuthApiDeps {
  auth: AuthService;
  audit: AuditRepository;
}

const LoginBody = z.object({ password: z.string().max(1024) }).strict();
const PasswordBody = z.object({
  current: z.string().max(1024),
  new: z.string().max(1024),
  /** Also revoke every API token (they otherwise survive a password change). */
  revoke_tokens: z.boolean().optional(),
}).strict();
const TokenBody = z.object({ name: z.string().max(64) }).strict();
const ACTION_RE = /^[a-z][a-z0-9_.]{0,63}$/;

/** Turns a failed password check into the HTTP error the API answers. */
export function passwordFailure(outcome: Exclude<PasswordOutcome, { ok: true }>): HttpError {
  switch (outcome.reason) {
    case "rate_limited":
      return new HttpError(
        429,
        `Too many password attempts; retry in ${outcome.retryAfterSeconds} s`,
        { retryAfterSeconds: outcome.retryAfterSeconds },
        undefined,
        { "Retry-After": String(outcome.retryAfterSeconds) },
      );
    case "no_password":
      return new HttpError(409, "No password is set yet: open the setup link from the server log");
    case "auth_off":
      return new HttpError(409, "Authentication is off (AIKORE_AUTH=off); no login is needed");
    default:
      return new HttpError(401, "Wrong password", null, "invalid_credentials");
  }
}

function signedIn(c: Context<AppEnv>, auth: AuthService, session: IssuedSession): Response {
  c.header("Set-Cookie", auth.sessionCookieFor(session, requestIsHttps(c)));
  return c.json({ authenticated: true, csrfToken: session.csrfToken });
}

function requireSessionPrincipal(c: Context<AppEnv>, what: string): void {
  if (c.get("principal")?.kind === "token") {
    throw new HttpError(403, `API tokens cannot ${what}; use the dashboard`);
  }
}

function positiveInt(text: string | undefined, field: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > max) {
    throw new HttpError(422, `Invalid ${field}: a whole number from 1 to ${max}`, [
      { field, reason: `a whole number from 1 to ${max}` },
    ]);
  }
  return Number(text);
}

/** Registers login, logout, session, the gateway auth check, tokens, password and audit routes. */
export function registerAuthRoutes(router: ApiRouter, deps: AuthApiDeps): void {
  const { auth } = deps;
  router.route({
    method: "post",
    path: "/api/auth/login",
    summary: "Log in with the password; sets the session cookie",
    tag: "auth",
    body: LoginBody,
    responses: { 409: "No password set / auth off", 429: "Rate limited (Retry-After)" },
  }, async (c) => {
    const { password } = await readJson(c, LoginBody);
    const outcome = await auth.login(password, {
      ...requestContext(c),
      previousSessionId: auth.sessionIdFrom(c.req.raw.headers),
    });
    if (!outcome.ok) throw passwordFailure(outcome);
    return signedIn(c, auth, outcome.session);
  });
  router.route(
    { method: "post", path: "/api/auth/logout", summary: "End this session", tag: "auth" },
    (c) => {
      auth.logout(auth.sessionIdFrom(c.req.raw.headers), requestContext(c));
      c.header("Set-Cookie", clearedSessionCookie({ secure: requestIsHttps(c) }));
      return c.body(null, 204);
    },
  );
  router.route({
    method: "get",
    path: "/api/auth/session",
    summary: "Who is signed in, and the CSRF token to send as X-CSRF-Token",
    tag: "auth",
  }, (c) => {
    const principal = c.get("principal");
    return c.json({
      authenticated: true,
      kind: principal.kind,
      actor: principal.actor,
      csrfToken: principal.csrfToken,
      authEnabled: auth.authEnabled,
    });
  });
  router.route({
    method: "get",
    path: "/api/auth/check",
    summary: "Gateway auth_request probe: 204 with a valid session or token, else 401 (no body)",
    tag: "auth",
    responses: { 204: "Authenticated" },
  }, (c) => c.body(null, auth.authenticate(c.req.raw.headers) ? 204 : 401));
  router.route({
    method: "put",
    path: "/api/auth/password",
    summary:
      "Change the password (every other session ends with its sockets; revoke_tokens: true revokes API tokens too)",
    tag: "auth",
    body: PasswordBody,
    responses: { 422: "New password too weak", 429: "Rate limited (Retry-After)" },
  }, async (c) => {
    requireSessionPrincipal(c, "change the password");
    const body = await readJson(c, PasswordBody);
    const outcome = await auth.changePassword(body.current, body.new, requestContext(c), {
      revokeTokens: body.revoke_tokens === true,
    });
    if (!outcome.ok && outcome.reason === "weak_password") {
      throw new HttpError(422, outcome.message, [{ field: "new", reason: outcome.message }]);
    }
    if (!outcome.ok) throw passwordFailure(outcome);
    return signedIn(c, auth, outcome.session);
  });
  registerTokenRoutes(router, deps);
}

function registerTokenRoutes(router: ApiRouter, { auth, audit }: AuthApiDeps): void {
  router.route(
    { method: "get", path: "/api/auth/tokens", summary: "List API tokens", tag: "auth" },
    (c) => c.json({ tokens: auth.listTokens() }),
  );
  router.route({
    method: "post",
    path: "/api/auth/tokens",
    summary: "Create an API token (the token is shown once)",
    tag: "auth",
    body: TokenBody,
    responses: { 201: "Created" },
  }, async (c) => {
    requireSessionPrincipal(c, "create tokens");
    const { name } = await readJson(c, TokenBody);
    const problem = tokenNameProblem(name);
    if (problem) {
      throw new HttpError(422, `Invalid name: ${problem}`, [{ field: "name", reason: problem }]);
    }
    return c.json({ token: auth.createToken(name, requestContext(c)) }, 201);
  });
  router.route({
    method: "delete",
    path: "/api/auth/tokens/:id",
    summary: "Revoke an API token",
    tag: "auth",
    responses: { 204: "Revoked", 404: "No such token" },
  }, (c) => {
    requireSessionPrincipal(c, "revoke tokens");
    const id = positiveInt(c.req.param("id"), "id", 2 ** 31);
    if (id === undefined || !auth.revokeToken(id, requestContext(c))) {
      throw new HttpError(404, "No such API token");
    }
    return c.body(null, 204);
  });
  router.route({
    method: "get",
    path: "/api/audit",
    summary: "Audit log, newest first",
    tag: "auth",
    query: { limit: "1-500 (default 100)", before: "entries older than this id", action: "filter" },
  }, (c) => {
    const limit = positiveInt(c.req.query("limit"), "limit", 500) ?? 100;
    const before = positiveInt(c.req.query("before"), "before", Number.MAX_SAFE_INTEGER);
    const action = c.req.query("action");
    if (action !== undefined && !ACTION_RE.test(action)) {
      throw new HttpError(422, "Invalid action filter", [{
        field: "action",
        reason: "not an action name",
      }]);
    }
    const options: { limit: number; before?: number; action?: string } = { limit };
    if (before !== undefined) options.before = before;
    if (action !== undefined) options.action = action;
    return c.json({ entries: audit.list(options) });
  });
}

/** The auth API as a Hono app to mount with `app.route("/", authApi(deps))`. */
export function authApi(deps: AuthApiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  registerAuthRoutes(new ApiRouter(app), deps);
  return app;
}
