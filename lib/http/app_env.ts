/** Who is making a request, as set by the authentication middleware. */
export interface RequestPrincipal {
  kind: string;
  actor: string;
  csrfToken: string | null;
}

/** Hono environment shared by every route. */
export interface AppEnv {
  Variables: {
    principal: RequestPrincipal;
    clientAddress: string;
  };
}
