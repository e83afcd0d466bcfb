import { useEffect, useRef, useState } from "preact/hooks";
import { cancelNewRow, createFromNewRow } from "../actions/new_row_actions.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import type { EditableField, EditableValues } from "../core/editable.ts";
import {
  type NewInstanceDraft,
  newInstanceProblems,
  withName,
  withSlug,
} from "../core/new_instance.ts";
import { BlueprintSelect } from "./BlueprintSelect.tsx";
import { DesktopToggle } from "./DesktopToggle.tsx";
import { RestartCell, VersionsCell } from "./EnvironmentCells.tsx";
import { GpuPicker } from "./GpuPicker.tsx";
import { HostnameEditor } from "./HostnameEditor.tsx";
import { IdleStopField } from "./IdleStopField.tsx";
import { PortSelect } from "./PortSelect.tsx";

/** The row that creates an instance; live updates never touch it (it is local state). */
export function NewInstanceRow(props: { draft: NewInstanceDraft }) {
  const d = useDashboard();
  const { draft } = props;
  const [creating, setCreating] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // "center": "nearest" left the row half under the pane edge and the sticky header.
    nameInput.current?.scrollIntoView({ block: "center" });
    nameInput.current?.focus();
  }, []);
  const update = (next: NewInstanceDraft) => (d.store.newRow.value = next);
  const set = <K extends keyof NewInstanceDraft>(key: K, value: NewInstanceDraft[K]) =>
    update({ ...draft, [key]: value });
  const gpuCount = d.store.system.gpus.length || null;
  const problems = newInstanceProblems(draft, gpuCount);
  const setField = <F extends EditableField>(field: F, value: EditableValues[F]) =>
    update({ ...draft, [field]: value });
  const blocked = Object.keys(problems).length > 0;
  const list = d.store.blueprints.value;
  const chosen = [...list.stock, ...list.custom].find((b) => b.filename === draft.base_blueprint);
  const create = async () => {
    setCreating(true);
    const id = await createFromNewRow(d);
    if (id === null) {
      setCreating(false);
      return;
    }
    // Focus moves to the new row (its Start button), in view, instead of falling to <body>.
    setTimeout(() => {
      const start = document.querySelector<HTMLElement>(
        `tr[data-instance-id="${id}"] [data-action="start"]`,
      );
      start?.scrollIntoView({ block: "center" });
      start?.focus();
    }, 0);
  };
  return (
    <tr class="instance-row new-row" data-new-row>
      <td class="cell-handle" />
      <td class="cell-name">
        <div class="name-stack">
          <input
            ref={nameInput}
            aria-label="Name of the new instance"
            placeholder="Name"
            value={draft.name}
            aria-invalid={draft.name && problems.name ? "true" : undefined}
            title={problems.name}
            spellcheck={false}
            onInput={(e) => update(withName(draft, e.currentTarget.value))}
          />
          <input
            class="slug-input mono"
            aria-label="Slug of the new instance"
            placeholder="slug"
            value={draft.slug}
            aria-invalid={draft.slug && problems.slug ? "true" : undefined}
            title={problems.slug ?? "Slug: folder and URL name"}
            spellcheck={false}
            onInput={(e) => update(withSlug(draft, e.currentTarget.value))}
          />
          {draft.name && problems.name && (
            <small class="field-problem" role="alert">Name {problems.name}</small>
          )}
          {draft.slug && problems.slug && (
            <small class="field-problem" role="alert">Slug {problems.slug}</small>
          )}
        </div>
      </td>
      <td>
        <BlueprintSelect
          list={d.store.blueprints.value}
          label="Blueprint of the new instance"
          placeholder
          value={draft.base_blueprint}
          onChange={(file) => set("base_blueprint", file)}
        />
        {chosen?.description && (
          <small class="muted blueprint-description" data-blueprint-description>
            {chosen.description}
          </small>
        )}
      </td>
      <td>
        <input
          aria-label="Output path of the new instance"
          placeholder="output folder"
          value={draft.output_path}
          aria-invalid={draft.output_path && problems.output_path ? "true" : undefined}
          title={problems.output_path ?? "Folder under the outputs folder"}
          spellcheck={false}
          onInput={(e) =>
            update({ ...draft, output_path: e.currentTarget.value, outputEdited: true })}
        />
        {draft.output_path && problems.output_path && (
          <small class="field-problem" role="alert">Output path {problems.output_path}</small>
        )}
      </td>
      <td>
        <GpuPicker
          label="GPUs of the new instance"
          value={draft.gpu_ids}
          onChange={(ids) => set("gpu_ids", ids)}
        />
      </td>
      <td class="cell-check">
        <input
          type="checkbox"
          aria-label="Autostart the new instance"
          checked={draft.autostart}
          onChange={(e) => set("autostart", e.currentTarget.checked)}
        />
      </td>
      <td class="cell-check">
        <DesktopToggle
          label="Desktop mode of the new instance"
          checked={draft.persistent_mode}
          desktop={d.store.system.desktop}
          onChange={(checked) => set("persistent_mode", checked)}
        />
      </td>
      <td>
        {RestartCell({ name: "the new instance", values: draft, set: setField })}
        <IdleStopField
          name="the new instance"
          value={draft.idle_stop_minutes}
          problem={problems.idle_stop_minutes}
          onInput={(text) => set("idle_stop_minutes", text)}
        />
        {problems.idle_stop_minutes && (
          <small class="field-problem" role="alert" data-problem="idle_stop_minutes">
            Idle stop {problems.idle_stop_minutes}
          </small>
        )}
      </td>
      <td>
        {VersionsCell({ name: "the new instance", values: draft, set: setField, problems })}
      </td>
      <td>
        <span class="badge badge-idle">new</span>
      </td>
      <td>
        <HostnameEditor
          name="the new instance"
          enabled={draft.use_custom_hostname}
          hostname={draft.hostname}
          onEnabled={(on) => set("use_custom_hostname", on)}
          onHostname={(text) => set("hostname", text)}
        />
      </td>
      <td>
        <PortSelect
          label="Port of the new instance"
          auto
          value={draft.port}
          ownId={null}
          holders={d.store.portHolders.value}
          range={d.store.system.port_range}
          onChange={(port) => set("port", port)}
        />
      </td>
      <td>
        <div class="row-actions">
          <button
            type="button"
            class="btn btn-sm btn-primary"
            data-action="create"
            disabled={blocked || creating}
            title={blocked ? Object.values(problems)[0] : "Create the instance"}
            onClick={() => void create()}
          >
            Create
          </button>
          <button
            type="button"
            class="btn btn-sm"
            data-action="cancel-new"
            onClick={() => cancelNewRow(d)}
          >
            Cancel
          </button>
        </div>
      </td>
    </tr>
  );
}
