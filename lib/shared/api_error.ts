/** One problem with one input field. */
export interface FieldProblem {
  field: string;
  reason: string;
}

/** The JSON body of every API error: `{ error: { code, message, details } }`. */
export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details: FieldProblem[] | Record<string, unknown> | null;
  };
}

/** Reads the message of an API error body, for display. */
export function apiErrorMessage(body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "error" in body) {
    const error = (body as ApiErrorBody).error;
    if (error && typeof error.message === "string") {
      // Say each reason once: details already in the message are not repeated.
      const details = Array.isArray(error.details)
        ? error.details.filter((d) => !error.message.includes(d.reason))
          .map((d) => `${d.field}: ${d.reason}`).join("; ")
        : "";
      return details ? `${error.message} (${details})` : error.message;
    }
  }
  return fallback;
}
