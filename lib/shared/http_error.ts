import type { FieldProblem } from "./api_error.ts";

/** HTTP status codes AiKore answers errors with. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 | 507;

const DEFAULT_CODES: Record<ErrorStatus, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "invalid_input",
  429: "too_many_requests",
  500: "internal_error",
  503: "unavailable",
  507: "insufficient_storage",
};

/** The one error type that becomes an HTTP response; messages are shown to users. */
export class HttpError extends Error {
  readonly code: string;
  constructor(
    readonly status: ErrorStatus,
    message: string,
    readonly details: FieldProblem[] | Record<string, unknown> | null = null,
    code?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.code = code ?? DEFAULT_CODES[status];
  }
}

/** 422 naming one field and the reason. */
export function invalidField(field: string, reason: string): HttpError {
  return new HttpError(422, `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

export function conflict(
  message: string,
  details: Record<string, unknown> | null = null,
): HttpError {
  return new HttpError(409, message, details);
}
