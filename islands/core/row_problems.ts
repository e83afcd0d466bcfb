/** What is wrong with a row's typed values, checked while typing (the server's own rules). */
import {
  displayNameProblem,
  hostnameProblem,
  relativePathProblem,
  versionProblem,
} from "../../lib/shared/identifiers.ts";
import { type EditableField, type EditableValues, VERSION_FIELDS } from "./editable.ts";
import { gpuChoiceProblem } from "./gpu_choice.ts";
import { idleStopTextProblem } from "./idle_stop_text.ts";

/** Field → what to fix, for the fields the user changed. */
export function rowProblems(
  values: EditableValues,
  changed: ReadonlySet<EditableField>,
  gpuCount: number | null,
): Partial<Record<EditableField, string>> {
  const problems: Partial<Record<EditableField, string>> = {};
  const check = (field: EditableField, problem: string | null) => {
    if (problem && changed.has(field)) problems[field] = problem;
  };
  check("name", displayNameProblem(values.name));
  check("output_path", relativePathProblem(values.output_path));
  check("gpu_ids", gpuChoiceProblem(values.gpu_ids, gpuCount));
  check("idle_stop_minutes", idleStopTextProblem(values.idle_stop_minutes));
  for (const field of VERSION_FIELDS) {
    if (values[field] !== "") check(field, versionProblem(values[field]));
  }
  if (values.use_custom_hostname) {
    check(
      "hostname",
      values.hostname === ""
        ? "type a host name, or turn the custom address off"
        : hostnameProblem(values.hostname),
    );
  }
  return problems;
}
