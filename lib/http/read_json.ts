import type { Context } from "hono";
import type { z } from "zod";
import { HttpError, invalidField } from "../shared/http_error.ts";

/** Converts zod issues to field problems (`field` is the dotted path). */
export function zodProblems(error: z.ZodError): Array<{ field: string; reason: string }> {
  return error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join(".") : "body",
    reason: issue.code === "unrecognized_keys"
      ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(", ")}`
      : issue.message,
  }));
}

/** Validates `value` against `schema`; 422 naming every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = zodProblems(result.error);
    const first = details[0];
    throw new HttpError(
      422,
      first ? `Invalid ${first.field}: ${first.reason}` : "Invalid input",
      details,
    );
  }
  return result.data;
}

/**
 * Reads a JSON body: 415 unless `Content-Type: application/json`, 400 for broken JSON,
 * 422 for schema violations. An empty body reads as `{}`.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  const text = await c.req.text();
  if (text.length === 0 && !type) return validate(schema, {});
  if (type !== "application/json") {
    throw new HttpError(415, "Send the body as JSON (Content-Type: application/json)");
  }
  let value: unknown;
  try {
    value = text.length ? JSON.parse(text) : {};
  } catch {
    throw new HttpError(400, "The request body is not valid JSON");
  }
  return validate(schema, value);
}

/** Parses the positive integer `:id` path parameter; 404 naming `what` when it is not one. */
export function idParam(c: Context, what = "Instance"): number {
  const text = c.req.param("id") ?? "";
  if (!/^[1-9]\d{0,15}$/.test(text)) throw new HttpError(404, `${what} not found`);
  return Number(text);
}

/** A 0/1 query flag: absent or "0" is false, "1" true, anything else a 422 naming it. */
export function flagQuery(c: Context, name: string): boolean {
  const value = c.req.query(name);
  if (value === undefined || value === "0") return false;
  if (value === "1") return true;
  throw invalidField(name, "must be 0 or 1");
}
