import { useEffect, useState } from "preact/hooks";
import { type Api, errorText } from "../core/api_client.ts";
import type { UiState } from "../core/ui_state.ts";

interface CustomBlueprint {
  filename: string;
  name: string;
  category: string;
  description: string;
  error: string | null;
}

/** Saved custom blueprints: what each is, its text, and deleting one no instance is made from. */
export function CustomBlueprints(props: { api: Api; ui: UiState }) {
  const { api, ui } = props;
  const [blueprints, setBlueprints] = useState<CustomBlueprint[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [shown, setShown] = useState<{ file: string; text: string } | null>(null);
  const load = () =>
    api.get<{ custom: CustomBlueprint[] }>("/api/system/blueprints")
      .then((body) => setBlueprints(body.custom))
      .catch((error) => setFailure(errorText(error)));
  useEffect(() => void load(), []);

  const view = async (file: string) => {
    if (shown?.file === file) return setShown(null);
    const path = `/api/system/blueprints/custom/${encodeURIComponent(file)}`;
    try {
      const response = await fetch(path, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`it cannot be read (${response.status})`);
      setShown({ file, text: await response.text() });
    } catch (error) {
      ui.toast("error", `Cannot show "${file}": ${errorText(error)}`);
    }
  };
  const remove = async (blueprint: CustomBlueprint) => {
    const ok = await ui.confirm({
      title: `Delete "${blueprint.filename}"?`,
      message: "The file is removed from the custom blueprints folder. Instances keep their own " +
        "launch scripts; one made from it must get another blueprint first.",
      confirmLabel: "Delete",
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/system/blueprints/custom/${encodeURIComponent(blueprint.filename)}`);
      ui.toast("success", `Blueprint "${blueprint.filename}" deleted.`);
      if (shown?.file === blueprint.filename) setShown(null);
    } catch (error) {
      ui.toast("error", `Cannot delete "${blueprint.filename}": ${errorText(error)}`);
    }
    await load();
  };
  return (
    <section class="card" aria-labelledby="blueprints-title" data-custom-blueprints>
      <div class="card-header">
        <h2 id="blueprints-title">Custom blueprints</h2>
      </div>
      {failure && <p class="form-error" role="alert">{failure}</p>}
      {blueprints && blueprints.length === 0 && (
        <p class="muted">
          None yet. Edit an instance's script and choose "Save as custom blueprint" to make one.
        </p>
      )}
      {blueprints && blueprints.length > 0 && (
        <table class="data-table" aria-label="Custom blueprints">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Name</th>
              <th scope="col">Category</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {blueprints.map((blueprint) => (
              <tr key={blueprint.filename} data-blueprint={blueprint.filename}>
                <td class="mono">{blueprint.filename}</td>
                <td>
                  {blueprint.name}
                  {blueprint.error && (
                    <small class="form-error" role="note">{blueprint.error}</small>
                  )}
                </td>
                <td>{blueprint.category}</td>
                <td>
                  <button
                    type="button"
                    class="btn btn-sm"
                    aria-expanded={shown?.file === blueprint.filename}
                    onClick={() => void view(blueprint.filename)}
                  >
                    View
                  </button>{" "}
                  <button
                    type="button"
                    class="btn btn-sm btn-danger-quiet"
                    data-action="delete-blueprint"
                    onClick={() => void remove(blueprint)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {shown && (
        <pre class="run-log" data-blueprint-text tabIndex={0} aria-label={`Text of ${shown.file}`}>
          {shown.text}
        </pre>
      )}
    </section>
  );
}
