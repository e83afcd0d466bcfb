import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../log/mod.ts";
import type { ApiErrorBody } from "../shared/api_error.ts";
import { DomainError, type DomainErrorKind, isStorageFull } from "../shared/domain_error.ts";
import { type ErrorStatus, HttpError } from "../shared/http_error.ts";

function body(code: string, message: string, details: ApiErrorBody["error"]["details"] = null) {
  return { error: { code, message, details } } satisfies ApiErrorBody;
}

/** The status code of each kind of domain failure. */
const DOMAIN_STATUS: Record<Exclude<DomainErrorKind, "storage_full">, ErrorStatus> = {
  invalid: 422,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  busy: 429,
  failed: 500,
};

const DOMAIN_CODE: Record<Exclude<DomainErrorKind, "storage_full">, string> = {
  invalid: "invalid_input",
  forbidden: "forbidden",
  not_found: "not_found",
  conflict: "conflict",
  unavailable: "unavailable",
  busy: "too_many_requests",
  failed: "internal_error",
};

/** The single place where errors become HTTP responses; internals are logged, never sent. */
export function errorResponder(logger: Logger) {
  return (error: unknown, c: Context): Response => {
    if (error instanceof HttpError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json(body(error.code, error.message, error.details), error.status);
    }
    if (error instanceof HTTPException) {
      const status = error.status;
      if (status === 413) return c.json(body("payload_too_large", "Request body too large"), 413);
      if (status < 500) return c.json(body("bad_request", error.message || "Bad request"), status);
    }
    if (error instanceof DomainError && error.kind !== "storage_full") {
      if (error.kind === "failed") logger.error("operation failed", { path: c.req.path, error });
      return c.json(
        body(error.code ?? DOMAIN_CODE[error.kind], error.message, error.details),
        DOMAIN_STATUS[error.kind],
      );
    }
    if (isStorageFull(error)) {
      logger.error("disk full", { path: c.req.path, error });
      return c.json(
        body("insufficient_storage", "The data disk is full; free space and retry"),
        507,
      );
    }
    logger.error("unhandled error", {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return c.json(body("internal_error", "Internal server error"), 500);
  };
}
