/** The restart policy and the python/CUDA/torch versions of a row (hook-free cells). */
import type { RestartPolicy } from "../../lib/shared/instance_schema.ts";
import type { EditableField, EditableValues } from "../core/editable.ts";

const VERSION_INPUTS = [
  ["python_version", "Python", "py"],
  ["cuda_version", "CUDA", "cuda"],
  ["torch_version", "Torch", "torch"],
] as const;

/** Props shared by both cells. */
export interface EnvironmentCellProps {
  name: string;
  values: Pick<
    EditableValues,
    "restart_policy" | "python_version" | "cuda_version" | "torch_version"
  >;
  set: <F extends EditableField>(field: F, value: EditableValues[F]) => void;
  mark?: (field: EditableField) => string | undefined;
  problems?: Partial<Record<EditableField, string>>;
  /** Why the versions cannot be changed here (a satellite inherits them), or null. */
  versionsLocked?: string | null;
}

/** "Restart on failure" select. */
export function RestartCell(props: EnvironmentCellProps) {
  return (
    <select
      class={props.mark?.("restart_policy")}
      aria-label={`Restart policy of ${props.name}`}
      data-field="restart_policy"
      value={props.values.restart_policy}
      title="Restart the app by itself when it fails"
      onChange={(event) => props.set("restart_policy", event.currentTarget.value as RestartPolicy)}
    >
      <option value="no">Never</option>
      <option value="on-failure">On failure</option>
    </select>
  );
}

/** Three small inputs; empty means the blueprint's default. Changing one needs a restart. */
export function VersionsCell(props: EnvironmentCellProps) {
  return (
    <div class="versions-cell">
      {VERSION_INPUTS.map(([field, label, short]) => (
        <input
          key={field}
          class={`mono ${props.mark?.(field) ?? ""}`.trim()}
          aria-label={`${label} version of ${props.name}`}
          data-field={field}
          placeholder={short}
          value={props.values[field]}
          disabled={!!props.versionsLocked}
          aria-invalid={props.problems?.[field] ? "true" : undefined}
          title={props.versionsLocked ?? props.problems?.[field] ??
            `${label} version (empty: the blueprint's default); applies at the next start`}
          spellcheck={false}
          onInput={(event) => props.set(field, event.currentTarget.value.trim())}
        />
      ))}
    </div>
  );
}
