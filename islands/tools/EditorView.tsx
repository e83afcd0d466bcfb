import { useEffect, useRef, useState } from "preact/hooks";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import { saveAsCustomBlueprint } from "../actions/blueprint_actions.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { isActive } from "../core/status.ts";
import { workInProgress } from "../core/work_in_progress.ts";
import type { ShellEditor } from "../editor/code_editor.ts";

type Loaded = { state: "loading" } | { state: "ready"; source: string } | {
  state: "failed";
  message: string;
};

/** The launch script in CodeMirror: update the instance (restart asked) or save a blueprint. */
export function EditorView(props: { id: number }) {
  const d = useDashboard();
  const dto = d.store.row(props.id)?.dto.value;
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<ShellEditor | null>(null);
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [changed, setChanged] = useState(false);
  const [saving, setSaving] = useState(false);
  const satellite = dto?.parent_instance_id !== null;

  useEffect(() => {
    let disposed = false;
    Promise.all([
      d.api.get<{ content: string; source: string }>(
        `/api/instances/${props.id}/file?file_type=script`,
      ),
      import("../editor/code_editor.ts"),
    ]).then(([file, module]) => {
      if (disposed || !host.current) return;
      editor.current = module.createShellEditor(host.current, file.content, {
        readOnly: satellite,
        onChange: () => setChanged(true),
      });
      setLoaded({ state: "ready", source: file.source });
    }).catch((error) => setLoaded({ state: "failed", message: errorText(error) }));
    return () => {
      disposed = true;
      editor.current?.destroy();
      editor.current = null;
    };
  }, []);

  // Unsaved changes are never dropped silently: leaving the view asks, closing the tab warns.
  useEffect(() => {
    if (!changed) return;
    const name = dto?.name ?? `#${props.id}`;
    d.tools.guardLeave(async () =>
      await d.ui.confirm({
        title: "Discard the unsaved script changes?",
        message: `The script of "${name}" has changes that are not saved. ` +
          "Keep editing to save them with Update instance.",
        confirmLabel: "Discard changes",
        danger: true,
      })
    );
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    addEventListener("beforeunload", warn);
    return () => {
      d.tools.guardLeave(null);
      removeEventListener("beforeunload", warn);
    };
  }, [changed]);

  const update = async () => {
    if (!dto || !editor.current) return;
    let restart = false;
    if (isActive(dto.status)) {
      const working = workInProgress(d.store.stats.peek(), dto);
      const choice = await d.ui.choose({
        title: "Restart the instance?",
        message: `"${dto.name}" is ${dto.status}. The new script takes effect when it restarts.` +
          (working ? ` It works now (${working}): a restart ends that work.` : ""),
        choices: [
          { id: "restart", label: "Save and restart", tone: "primary" },
          { id: "save", label: "Save only (applies at next start)" },
        ],
      });
      if (!choice) return;
      restart = choice === "restart";
    }
    setSaving(true);
    try {
      const mark = d.store.mark();
      const result = await d.api.put<{ instance: InstanceDto }>(
        `/api/instances/${props.id}/file?file_type=script${restart ? "&restart=true" : ""}`,
        { content: editor.current.text() },
      );
      d.store.applyResponse(result.instance, mark);
      setChanged(false);
      d.ui.toast("success", `Script of "${dto.name}" saved${restart ? "; restarted" : ""}.`);
    } catch (error) {
      d.ui.toast("error", `Cannot save the script: ${errorText(error)}`);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="editor-view">
      <div class="tool-bar">
        <button
          type="button"
          class="btn btn-sm btn-primary"
          data-action="update-script"
          disabled={loaded.state !== "ready" || satellite || saving}
          onClick={() => void update()}
        >
          {saving ? "Saving…" : "Update instance"}
        </button>
        <button
          type="button"
          class="btn btn-sm"
          data-action="save-blueprint"
          disabled={loaded.state !== "ready" || !dto}
          onClick={() =>
            dto && editor.current && void saveAsCustomBlueprint(d, dto, editor.current.text())}
        >
          Save as custom blueprint
        </button>
        <span class="tool-status muted">
          {loaded.state === "loading" && "Loading the script…"}
          {loaded.state === "ready" && (satellite
            ? "Read-only: a satellite runs its parent's script"
            : changed
            ? "Unsaved changes"
            : "Saved")}
        </span>
      </div>
      {loaded.state === "failed" && <p class="form-error" role="alert">{loaded.message}</p>}
      <div class="editor-container" ref={host} data-editor={props.id} />
    </div>
  );
}
