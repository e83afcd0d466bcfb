import { useEffect, useRef, useState } from "preact/hooks";
import {
  HISTORY_HOURS,
  type HistorySeries,
  type UsageHistory,
} from "../../lib/shared/usage_history.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { rangeName, seriesLines, seriesSummary } from "../core/history_chart.ts";

const WIDTH = 720;
const HEIGHT = 120;

interface Line {
  label: string;
  /** The CSS class that colours it (a legend swatch of the same class). */
  kind: "cpu" | "ram" | "gpu-use" | "vram" | "temperature" | "power";
  series: HistorySeries;
  unit: string;
  /** Drawn on the 0-100 scale; false: in the legend only (watts have no common scale). */
  drawn: boolean;
}

const figure = (value: number, unit: string) => `${value.toFixed(value < 10 ? 1 : 0)}${unit}`;

function summaryText(line: Line): string {
  const summary = seriesSummary(line.series);
  return summary
    ? `${line.label} mean ${figure(summary.mean, line.unit)}, max ${figure(summary.max, line.unit)}`
    : `${line.label}: no samples`;
}

/** One chart: its lines on a 0-100 scale, gaps where nothing was recorded, and a legend. */
function HistoryChart(props: { title: string; name: string; hours: number; lines: Line[] }) {
  const range = rangeName(props.hours);
  const label = `${props.title}, last ${range}: ${props.lines.map(summaryText).join("; ")}`;
  return (
    <figure class="history-chart" data-chart={props.name}>
      <figcaption>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={label}
      >
        <title>{label}</title>
        {[25, 50, 75].map((level) => (
          <line
            key={level}
            class="history-grid"
            x1="0"
            x2={WIDTH}
            y1={HEIGHT - (level / 100) * HEIGHT}
            y2={HEIGHT - (level / 100) * HEIGHT}
          />
        ))}
        {props.lines.filter((line) => line.drawn).flatMap((line) =>
          seriesLines(line.series, WIDTH, HEIGHT).map((points, i) => (
            <polyline
              key={`${line.kind}-${i}`}
              class={`history-line line-${line.kind}`}
              points={points}
            />
          ))
        )}
      </svg>
      <div class="history-axis" aria-hidden="true">
        <span>{range} ago</span>
        <span>0-100</span>
        <span>now</span>
      </div>
      <ul class="history-legend">
        {props.lines.map((line) => (
          <li key={line.kind}>
            <span class={`swatch line-${line.kind}${line.drawn ? "" : " swatch-text"}`} />
            {summaryText(line)}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/**
 * The usage history: CPU, RAM and each GPU over the last hour, 6 h, 24 h or 7 days, as the
 * server recorded them every 10 s (also while no page was open). Brought up to date by the
 * stats events the page already receives, once a bucket has passed: no timer of its own.
 */
export function UsageHistoryView() {
  const { api, store } = useDashboard();
  const [hours, setHours] = useState(24);
  const [history, setHistory] = useState<UsageHistory | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const asked = useRef(0);
  const load = (range: number) => {
    asked.current = Date.now();
    api.get<UsageHistory>(`/api/system/stats/history?hours=${range}`)
      .then((body) => {
        setHistory(body);
        setFailure(null);
      })
      .catch((error) => setFailure(errorText(error)));
  };
  useEffect(() => load(hours), [hours]);
  const latest = store.stats.value?.timestamp ?? 0;
  useEffect(() => {
    if (history && latest - asked.current >= history.step_ms) load(hours);
  }, [latest]);

  const gpuName = (id: number) => store.system.gpus.find((gpu) => gpu.id === id)?.name;
  return (
    <div class="history-view" data-history>
      <div class="history-ranges" role="group" aria-label="Range">
        {HISTORY_HOURS.map((range) => (
          <button
            key={range}
            type="button"
            class="btn btn-sm"
            aria-pressed={range === hours}
            data-range={range}
            onClick={() => setHours(range)}
          >
            {rangeName(range)}
          </button>
        ))}
        <span class="muted">
          recorded every 10 s, kept 7 days; a gap is a time AiKore was not running
        </span>
      </div>
      {failure && <p class="form-error" role="alert">{failure}</p>}
      {!history && !failure && <p class="tools-note">Loading the usage history…</p>}
      {history && (
        <>
          <HistoryChart
            title="Host"
            name="host"
            hours={history.hours}
            lines={[
              { label: "CPU", kind: "cpu", series: history.cpu_percent, unit: "%", drawn: true },
              { label: "RAM", kind: "ram", series: history.ram_percent, unit: "%", drawn: true },
            ]}
          />
          {history.gpus.map((gpu) => (
            <HistoryChart
              key={gpu.id}
              title={`GPU ${gpu.id}${gpuName(gpu.id) ? ` · ${gpuName(gpu.id)}` : ""}`}
              name={`gpu-${gpu.id}`}
              hours={history.hours}
              lines={[
                {
                  label: "utilization",
                  kind: "gpu-use",
                  series: gpu.utilization_percent,
                  unit: "%",
                  drawn: true,
                },
                { label: "VRAM", kind: "vram", series: gpu.vram_percent, unit: "%", drawn: true },
                {
                  label: "temperature",
                  kind: "temperature",
                  series: gpu.temperature_c,
                  unit: " °C",
                  drawn: true,
                },
                { label: "power", kind: "power", series: gpu.power_w, unit: " W", drawn: false },
              ]}
            />
          ))}
        </>
      )}
    </div>
  );
}
