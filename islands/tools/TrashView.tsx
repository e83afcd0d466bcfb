import { useEffect, useState } from "preact/hooks";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";

interface TrashEntry {
  id: string;
  slug: string;
  name: string;
  blueprint: string;
  deletedAt: string;
  satellite: boolean;
}

/** Deleted instances: restore one, or purge it for good. */
export function TrashView() {
  const d = useDashboard();
  const [entries, setEntries] = useState<TrashEntry[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const load = () =>
    d.api.get<{ entries: TrashEntry[] }>("/api/trash")
      .then((body) => {
        setEntries(body.entries);
        setFailure(null);
      })
      .catch((error) => setFailure(errorText(error)));
  useEffect(() => void load(), []);

  const restore = async (entry: TrashEntry) => {
    try {
      const mark = d.store.mark();
      d.store.applyResponse(await d.api.post<InstanceDto>(`/api/trash/${entry.id}/restore`), mark);
      d.ui.toast("success", `"${entry.name}" restored.`);
    } catch (error) {
      d.ui.toast("error", `Cannot restore "${entry.name}": ${errorText(error)}`);
    }
    await load();
  };
  const purge = async (entry: TrashEntry) => {
    const ok = await d.ui.confirm({
      title: `Purge "${entry.name}"?`,
      message: "Its folder is deleted for good. Outputs are kept.",
      confirmLabel: "Purge",
      danger: true,
    });
    if (!ok) return;
    try {
      await d.api.del(`/api/trash/${entry.id}`);
      d.ui.toast("success", `"${entry.name}" purged.`);
    } catch (error) {
      d.ui.toast("error", `Cannot purge "${entry.name}": ${errorText(error)}`);
    }
    await load();
  };

  if (failure) return <p class="form-error" role="alert">{failure}</p>;
  if (!entries) return <p class="tools-note">Loading the trash…</p>;
  if (entries.length === 0) return <p class="tools-note">The trash is empty.</p>;
  return (
    <table class="data-table" aria-label="Trash">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Slug</th>
          <th scope="col">Blueprint</th>
          <th scope="col">Deleted</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id} data-trash-entry={entry.slug}>
            <td>{entry.name}{entry.satellite && <span class="muted">(satellite)</span>}</td>
            <td class="mono">{entry.slug}</td>
            <td>{entry.blueprint}</td>
            <td>{new Date(entry.deletedAt).toLocaleString()}</td>
            <td class="row-actions">
              <button
                type="button"
                class="btn btn-sm"
                data-action="restore"
                onClick={() => void restore(entry)}
              >
                Restore
              </button>
              <button
                type="button"
                class="btn btn-sm btn-danger-quiet"
                data-action="purge"
                onClick={() => void purge(entry)}
              >
                Purge
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
