/** Who is making a request. `csrfToken` is the session's token (null for tokens and auth off). */
export interface Principal {
  kind: "session" | "token" | "anonymous-auth-off";
  actor: string;
  csrfToken: string | null;
  /**
   * Which credential this is (`session:<id hash>` or `token:<id>`), never a secret: live sockets
   * and event streams are registered under it and closed when it ends.
   */
  credential?: string;
}

/** The principal of every request while authentication is off (`AIKORE_AUTH=off`). */
export const ANONYMOUS_AUTH_OFF: Readonly<Principal> = Object.freeze({
  kind: "anonymous-auth-off",
  actor: "anonymous",
  csrfToken: null,
});

/** Where a request came from, for rate limits and the audit log. Never holds secrets. */
export interface RequestContext {
  client: string;
  userAgent?: string | null;
  actor?: string;
}
