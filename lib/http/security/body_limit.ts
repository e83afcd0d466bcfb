import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HttpError } from "../../shared/http_error.ts";

/** Largest request body under /api (uploads never pass through AiKore). */
export const API_BODY_LIMIT = 2 * 1024 * 1024;
/** Largest body elsewhere (the login and setup forms). */
export const FORM_BODY_LIMIT = 64 * 1024;

/** 413 for bodies over the limit: 2 MiB for /api, 64 KiB for page forms. */
export function requestBodyLimit(
  limits: { api: number; other: number } = { api: API_BODY_LIMIT, other: FORM_BODY_LIMIT },
): MiddlewareHandler {
  const tooLarge = (max: number) => () => {
    throw new HttpError(413, `Request body larger than ${max} bytes`);
  };
  const api = bodyLimit({ maxSize: limits.api, onError: tooLarge(limits.api) });
  const other = bodyLimit({ maxSize: limits.other, onError: tooLarge(limits.other) });
  return (c, next) => (c.req.path.startsWith("/api/") ? api(c, next) : other(c, next));
}
