import type { FieldProblem } from "./api_error.ts";

/** What went wrong, independent of any transport; lib/http maps each kind to a status code. */
export type DomainErrorKind =
  | "invalid"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "unavailable"
  | "busy"
  | "storage_full"
  | "failed";

/** A failure of a domain operation, with a message meant for the user. */
export class DomainError extends Error {
  readonly code: string | null;
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: FieldProblem[] | Record<string, unknown> | null = null,
    code?: string,
  ) {
    super(message);
    this.name = "DomainError";
    this.code = code ?? null;
  }
}

/** The operation does not fit the current state (already running, being cloned …). */
export function stateConflict(message: string, details: Record<string, unknown> | null = null) {
  return new DomainError("conflict", message, details);
}

/** True for the errors a full disk or a full database raises. */
export function isStorageFull(error: unknown): boolean {
  if (error instanceof DomainError) return error.kind === "storage_full";
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /ENOSPC|No space left|SQLITE_FULL|database or disk is full/i.test(text);
}

/** A bad value of one input field (the field and the reason are shown). */
export function invalidInput(field: string, reason: string): DomainError {
  return new DomainError("invalid", `Invalid ${field}: ${reason}`, [{ field, reason }]);
}

/** The thing asked for does not exist. */
export function missing(what: string): DomainError {
  return new DomainError("not_found", `${what} not found`);
}
