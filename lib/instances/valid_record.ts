import type { InstanceRecord } from "../db/mod.ts";
import { HttpError } from "../shared/http_error.ts";

/** The record, or 404; refuses a row whose stored values break a rule (T11) with 409. */
export function requireValid(record: InstanceRecord | null, id: number): InstanceRecord {
  if (!record) throw new HttpError(404, "Instance not found");
  if (record.invalidReason) {
    throw new HttpError(
      409,
      `Instance ${id} has an invalid stored value (${record.invalidReason}); fix or delete the row`,
      { invalid: record.invalidReason },
      "invalid_stored_instance",
    );
  }
  return record;
}
