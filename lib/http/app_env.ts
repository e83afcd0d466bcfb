/** Who is making a request, as set by the authentication middleware. */
export interface RequestPrincipal {
  kind: string;
  actor: string;
  csrfToken: string | null;
  /** The credential (`session:<hash>`, `token:<id>`) live sockets are registered under. */
  credential?: string;
}

/** Hono environment shared by every route. */
export interface AppEnv {
  Variables: {
    principal: RequestPrincipal;
    clientAddress: string;
  };
}
