import type { InstanceRecord } from "../db/mod.ts";
import { DomainError, missing } from "../shared/domain_error.ts";

/** The record, or not found; refuses a row whose stored values break a rule (a conflict). */
export function requireValid(record: InstanceRecord | null, id: number): InstanceRecord {
  if (!record) throw missing("Instance");
  if (record.invalidReason) {
    throw new DomainError(
      "conflict",
      `Instance ${id} has an invalid stored value (${record.invalidReason}); fix or delete the row`,
      { invalid: record.invalidReason },
      "invalid_stored_instance",
    );
  }
  return record;
}
