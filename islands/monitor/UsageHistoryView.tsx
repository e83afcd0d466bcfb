import { useEffect, useRef, useState } from "preact/hooks";
import { formatBytes } from "../../lib/shared/stats.ts";
import {
  HISTORY_HOURS,
  type HistorySeries,
  type InstanceUsageHistory,
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
  format: (value: number) => string;
  /** Drawn on the chart's scale; false: in the legend only (watts have no common scale). */
  drawn: boolean;
}

const percent = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)}%`;
const unit = (suffix: string) => (value: number) => `${value.toFixed(value < 10 ? 1 : 0)}${suffix}`;
const bytes = (value: number) => formatBytes(value, 1);

function summaryText(line: Line): string {
  const summary = seriesSummary(line.series);
  return summary
    ? `${line.label} mean ${line.format(summary.mean)}, max ${line.format(summary.max)}`
    : `${line.label}: no samples`;
}

/** One chart: its lines on a scale of 0 to `top`, gaps where nothing was recorded, a legend. */
function HistoryChart(
  props: { title: string; name: string; hours: number; top: number; scale: string; lines: Line[] },
) {
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
          seriesLines(line.series, WIDTH, HEIGHT, props.top).map((points, i) => (
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
        <span>{props.scale}</span>
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
 * A history read from `path` for the chosen range, brought up to date by the stats events the
 * page already receives once a bucket has passed: no timer of its own.
 */
function useHistory<T extends { step_ms: number; hours: number }>(path: string, hours: number) {
  const { api, store } = useDashboard();
  const [history, setHistory] = useState<T | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const asked = useRef(0);
  const load = () => {
    asked.current = Date.now();
    api.get<T>(`${path}?hours=${hours}`)
      .then((body) => {
        setHistory(body);
        setFailure(null);
      })
      .catch((error) => setFailure(errorText(error)));
  };
  useEffect(load, [path, hours]);
  const latest = store.stats.value?.timestamp ?? 0;
  useEffect(() => {
    if (history && latest - asked.current >= history.step_ms) load();
  }, [latest]);
  return { history, failure };
}

function RangeButtons(props: { hours: number; onChange: (hours: number) => void; note: string }) {
  return (
    <div class="history-ranges" role="group" aria-label="Range">
      {HISTORY_HOURS.map((range) => (
        <button
          key={range}
          type="button"
          class="btn btn-sm"
          aria-pressed={range === props.hours}
          data-range={range}
          onClick={() => props.onChange(range)}
        >
          {rangeName(range)}
        </button>
      ))}
      <span class="muted">{props.note}</span>
    </div>
  );
}

function Loading(props: { failure: string | null }) {
  return props.failure
    ? <p class="form-error" role="alert">{props.failure}</p>
    : <p class="tools-note">Loading the usage history…</p>;
}

/**
 * The usage history: CPU, RAM and each GPU over the last hour, 6 h, 24 h or 7 days, as the
 * server recorded them every 10 s (also while no page was open), the longer ranges from their
 * 5-minute averages.
 */
export function UsageHistoryView() {
  const { store } = useDashboard();
  const [hours, setHours] = useState(24);
  const { history, failure } = useHistory<UsageHistory>("/api/system/stats/history", hours);
  const gpuName = (id: number) => store.system.gpus.find((gpu) => gpu.id === id)?.name;
  return (
    <div class="history-view" data-history>
      <RangeButtons
        hours={hours}
        onChange={setHours}
        note="every 10 s for 6 h, 5-minute averages for 7 days; a gap is a time AiKore was not running"
      />
      {!history ? <Loading failure={failure} /> : (
        <>
          <HistoryChart
            title="Host"
            name="host"
            hours={history.hours}
            top={100}
            scale="0-100 %"
            lines={[
              {
                label: "CPU",
                kind: "cpu",
                series: history.cpu_percent,
                format: percent,
                drawn: true,
              },
              {
                label: "RAM",
                kind: "ram",
                series: history.ram_percent,
                format: percent,
                drawn: true,
              },
            ]}
          />
          {history.gpus.map((gpu) => (
            <HistoryChart
              key={gpu.id}
              title={`GPU ${gpu.id}${gpuName(gpu.id) ? ` · ${gpuName(gpu.id)}` : ""}`}
              name={`gpu-${gpu.id}`}
              hours={history.hours}
              top={100}
              scale="0-100 % and °C"
              lines={[
                {
                  label: "utilization",
                  kind: "gpu-use",
                  series: gpu.utilization_percent,
                  format: percent,
                  drawn: true,
                },
                {
                  label: "VRAM",
                  kind: "vram",
                  series: gpu.vram_percent,
                  format: percent,
                  drawn: true,
                },
                {
                  label: "temperature",
                  kind: "temperature",
                  series: gpu.temperature_c,
                  format: unit(" °C"),
                  drawn: true,
                },
                {
                  label: "power",
                  kind: "power",
                  series: gpu.power_w,
                  format: unit(" W"),
                  drawn: false,
                },
              ]}
            />
          ))}
        </>
      )}
    </div>
  );
}

/** A chart's top for a series of any unit: a little above its highest value. */
function topOf(series: HistorySeries, floor: number): number {
  return Math.max(floor, (seriesSummary(series)?.max ?? 0) * 1.1);
}

/**
 * One instance's usage while it ran: the CPU of its whole process tree (percent of one core),
 * its memory (RSS) and its VRAM, over the chosen range. A memory leak shows as a rising line.
 */
export function InstanceUsageView(props: { id: number }) {
  const [hours, setHours] = useState(24);
  const { history, failure } = useHistory<InstanceUsageHistory>(
    `/api/instances/${props.id}/stats/history`,
    hours,
  );
  return (
    <div class="history-view" data-history>
      <RangeButtons
        hours={hours}
        onChange={setHours}
        note="its whole process tree, every 10 s while it runs; a gap is a time it was not running"
      />
      {!history ? <Loading failure={failure} /> : (
        <>
          <HistoryChart
            title="CPU (100 % = one core)"
            name="instance-cpu"
            hours={history.hours}
            top={topOf(history.cpu_percent, 100)}
            scale={`0-${percent(topOf(history.cpu_percent, 100))}`}
            lines={[
              {
                label: "CPU",
                kind: "cpu",
                series: history.cpu_percent,
                format: percent,
                drawn: true,
              },
            ]}
          />
          <HistoryChart
            title="Memory (RSS)"
            name="instance-rss"
            hours={history.hours}
            top={topOf(history.rss_bytes, 1)}
            scale={`0-${bytes(topOf(history.rss_bytes, 1))}`}
            lines={[
              { label: "RSS", kind: "ram", series: history.rss_bytes, format: bytes, drawn: true },
            ]}
          />
          <HistoryChart
            title="VRAM"
            name="instance-vram"
            hours={history.hours}
            top={topOf(history.vram_bytes, 1)}
            scale={`0-${bytes(topOf(history.vram_bytes, 1))}`}
            lines={[
              {
                label: "VRAM",
                kind: "vram",
                series: history.vram_bytes,
                format: bytes,
                drawn: true,
              },
            ]}
          />
        </>
      )}
    </div>
  );
}
