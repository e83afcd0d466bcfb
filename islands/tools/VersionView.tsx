import { useEffect, useState } from "preact/hooks";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";

type Report = { versions: string; conflicts: string };
type State = { state: "running" } | { state: "done"; report: Report } | {
  state: "failed";
  message: string;
};

/** Python/torch/CUDA versions and `pip check` from the instance environment. */
export function VersionView(props: { id: number }) {
  const { api } = useDashboard();
  const [state, setState] = useState<State>({ state: "running" });
  const run = () => {
    setState({ state: "running" });
    api.post<Report>(`/api/instances/${props.id}/version-check`)
      .then((report) => setState({ state: "done", report }))
      .catch((error) => setState({ state: "failed", message: errorText(error) }));
  };
  useEffect(run, []);
  return (
    <div class="version-view">
      <div class="tool-bar">
        <button type="button" class="btn btn-sm" disabled={state.state === "running"} onClick={run}>
          Run again
        </button>
        {state.state === "running" && <span class="muted">Checking the environment…</span>}
      </div>
      {state.state === "failed" && <p class="form-error" role="alert">{state.message}</p>}
      {state.state === "done" && (
        <div class="version-panels">
          <section>
            <h3>Versions</h3>
            <pre data-versions>{state.report.versions.trim() || "(nothing reported)"}</pre>
          </section>
          <section>
            <h3>Dependency conflicts</h3>
            <pre data-conflicts>{state.report.conflicts.trim() || "(none)"}</pre>
          </section>
        </div>
      )}
    </div>
  );
}
