import type { LegacyInstanceRow } from "./legacy_instance_row.ts";

/** A legacy value that breaks a rule. `skipped`: the row was left out (else imported changed). */
export interface ImportProblem {
  oldId: number;
  name: string;
  field: string;
  reason: string;
  proposedSlug?: string;
  skipped: boolean;
}

/** Records a problem with one field of a legacy row. */
export type ReportProblem = (
  row: LegacyInstanceRow,
  field: string,
  reason: string,
  skipped: boolean,
  proposedSlug?: string,
) => void;
