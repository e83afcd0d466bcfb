import { displayNameProblem, proposeSlug, slugProblem } from "../shared/identifiers.ts";
import type { ReportProblem } from "./import_problem.ts";
import type { LegacyInstanceRow } from "./legacy_instance_row.ts";

// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `base`, or `base-2`, `base-3` … (kept within 63 characters) that is not in `taken`. */
export function uniqueSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base) && slugProblem(base) === null) return base;
  for (let n = 2;; n++) {
    const suffix = `-${n}`;
    const candidate = base.slice(0, 63 - suffix.length).replace(/-+$/, "") + suffix;
    if (!taken.has(candidate) && slugProblem(candidate) === null) return candidate;
  }
}

/** A display name made valid: control characters dropped, trimmed, at most 64 characters. */
export function sanitizeDisplayName(name: string): string {
  return [...name.replace(CONTROL_RE, "").trim()].slice(0, 64).join("").trim();
}

/**
 * Slug and display name per row id. Valid names keep their slug; the rest get a unique proposal,
 * reported, and used only under `acceptProposedSlugs`. Rows missing from the map are not imported.
 */
export function assignSlugs(
  rows: readonly LegacyInstanceRow[],
  options: { acceptProposedSlugs: boolean; existingSlugs: ReadonlySet<string> },
  report: ReportProblem,
): Map<number, { slug: string; name: string }> {
  const names = new Map<number, { slug: string; name: string }>();
  const taken = new Set(options.existingSlugs);
  const keeps = new Set<number>();
  for (const row of rows) {
    if (slugProblem(row.name) === null && !taken.has(row.name)) {
      taken.add(row.name);
      keeps.add(row.id);
    }
  }
  for (const row of rows) {
    if (keeps.has(row.id)) {
      names.set(row.id, { slug: row.name, name: row.name });
      continue;
    }
    const proposal = uniqueSlug(proposeSlug(row.name), taken);
    taken.add(proposal);
    const problem = slugProblem(row.name);
    const reason = problem
      ? `"${row.name}" cannot be a slug (${problem})`
      : `slug "${row.name}" is already used by another instance`;
    const applied = options.acceptProposedSlugs ? `; imported as "${proposal}"` : "";
    report(row, "name", reason + applied, !options.acceptProposedSlugs, proposal);
    if (options.acceptProposedSlugs) {
      const name = displayNameProblem(row.name)
        ? sanitizeDisplayName(row.name) || proposal
        : row.name;
      names.set(row.id, { slug: proposal, name });
    }
  }
  return names;
}
