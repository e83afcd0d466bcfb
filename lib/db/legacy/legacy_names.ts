import { slugProblem } from "../../shared/identifiers.ts";

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
