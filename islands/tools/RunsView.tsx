import { useEffect, useState } from "preact/hooks";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";

interface Run {
  started_at: string;
  ended_at: string | null;
  outcome: string | null;
  exit_code: number | null;
  exit_signal: number | null;
  duration_ms: number | null;
  has_log: boolean;
}

function duration(ms: number | null): string {
  if (ms === null) return "running";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function outcome(run: Run): string {
  if (!run.outcome) return "running";
  if (run.exit_signal !== null) return `${run.outcome} (signal ${run.exit_signal})`;
  return run.exit_code !== null ? `${run.outcome} (${run.exit_code})` : run.outcome;
}

/** Earlier runs of an instance: start, duration, outcome; each kept log to read or download. */
export function RunsView(props: { id: number }) {
  const { api } = useDashboard();
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [shown, setShown] = useState<{ index: number; text: string } | null>(null);
  useEffect(() => {
    api.get<{ runs: Run[] }>(`/api/instances/${props.id}/runs`)
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
            <th scope="col">Log</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run, index) => (
            <tr key={run.started_at} data-run={index}>
              <td>{new Date(run.started_at).toLocaleString()}</td>
              <td>{duration(run.duration_ms)}</td>
              <td>{outcome(run)}</td>
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
