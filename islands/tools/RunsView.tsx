import { useEffect, useState } from "preact/hooks";
import { describeChange, type RunEnvironment } from "../../lib/shared/environment_snapshot.ts";
import { type ListedRun, runDuration, runOutcome } from "../../lib/shared/run_entry.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * What a run's environment held, and what changed in it since the last run that worked: the
 * first place to look when yesterday's app fails today.
 */
function Environment(props: { environment: RunEnvironment | null }) {
  const env = props.environment;
  if (!env) return <span class="muted">–</span>;
  const held = `${plural(env.packages, "package")}${
    env.checkouts ? `, ${plural(env.checkouts, "git checkout")}` : ""
  }${env.python ? ` · Python ${env.python}` : ""}`;
  if (env.changes === null) return <span title={held}>{held}</span>;
  const since = env.since ? new Date(env.since).toLocaleString() : "";
  if (env.changes.length === 0) {
    return <span title={held} data-env-changes="0">no change since the run of {since}</span>;
  }
  return (
    <details data-env-changes={env.changes.length}>
      <summary title={held}>
        {env.changes.length} change{env.changes.length === 1 ? "" : "s"} since the run of {since}
        {env.healthy ? "" : " (this run failed)"}
      </summary>
      <ul class="env-changes">
        {env.changes.map((change) => (
          <li key={`${change.kind}:${change.name}`}>{describeChange(change)}</li>
        ))}
      </ul>
    </details>
  );
}

/** Earlier runs of an instance: start, duration, outcome; each kept log to read or download. */
export function RunsView(props: { id: number }) {
  const { api } = useDashboard();
  const [runs, setRuns] = useState<ListedRun[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [shown, setShown] = useState<{ index: number; text: string } | null>(null);
  useEffect(() => {
    api.get<{ runs: ListedRun[] }>(`/api/instances/${props.id}/runs`)
      .then((body) => setRuns(body.runs))
      .catch((error) => setFailure(errorText(error)));
  }, []);
  const view = (index: number) =>
    fetch(`/api/instances/${props.id}/runs/${index}/log?plain=1`, { credentials: "same-origin" })
      .then(async (r) => {
        if (!r.ok) throw new Error(`the log cannot be read (${r.status})`);
        setShown({ index, text: await r.text() });
      })
      .catch((error) => setFailure(errorText(error)));
  if (failure) return <p class="form-error" role="alert">{failure}</p>;
  if (!runs) return <p class="tools-note">Loading the run history…</p>;
  if (runs.length === 0) return <p class="tools-note">This instance has not run yet.</p>;
  return (
    <div class="runs-view">
      <table class="data-table" data-runs>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Outcome</th>
            <th scope="col">Environment</th>
            <th scope="col">Log</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run, index) => (
            <tr key={run.started_at} data-run={index}>
              <td>{new Date(run.started_at).toLocaleString()}</td>
              <td>{runDuration(run.duration_ms)}</td>
              <td>{runOutcome(run)}</td>
              <td>
                <Environment environment={run.environment} />
              </td>
              <td>
                {run.has_log
                  ? (
                    <>
                      <button
                        type="button"
                        class="btn btn-sm"
                        data-run-view={index}
                        onClick={() => void view(index)}
                      >
                        View
                      </button>{" "}
                      <a
                        class="btn btn-sm"
                        href={`/api/instances/${props.id}/runs/${index}/log?download=1`}
                        download
                        title="The log as written, with colours and progress redraws"
                      >
                        Download
                      </a>{" "}
                      <a
                        class="btn btn-sm"
                        href={`/api/instances/${props.id}/runs/${index}/log?download=1&plain=1`}
                        download
                        data-run-text={index}
                        title="The text as the terminal showed it"
                      >
                        Text
                      </a>
                    </>
                  )
                  : <span class="muted">not kept</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown && (
        <section aria-label={`Log of run ${shown.index + 1}`}>
          <pre class="run-log" data-run-log tabIndex={0}>{shown.text || "(empty)"}</pre>
        </section>
      )}
    </div>
  );
}
