/** The usage history's chart: lines on one scale with gaps, a legend, and a label for readers. */
import { formatBytes } from "../../lib/shared/stats.ts";
import { type HistorySeries, seriesSummary } from "../../lib/shared/usage_history.ts";
import { rangeName, seriesLines } from "../core/history_chart.ts";

const WIDTH = 720;
const HEIGHT = 120;

export interface Line {
  label: string;
  /** The CSS class that colours it (a legend swatch of the same class). */
  kind: "cpu" | "ram" | "gpu-use" | "vram" | "temperature" | "power";
  series: HistorySeries;
  format: (value: number) => string;
  /** Drawn on the chart's scale; false: in the legend only (watts have no common scale). */
  drawn: boolean;
}

/** A line of a chart (drawn on its scale unless `drawn` is false: in the legend only). */
export function line(
  label: string,
  kind: Line["kind"],
  series: HistorySeries,
  format: (value: number) => string,
  drawn = true,
): Line {
  return { label, kind, series, format, drawn };
}

export const percent = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)}%`;
export const unit = (suffix: string) => (value: number) =>
  `${value.toFixed(value < 10 ? 1 : 0)}${suffix}`;
export const bytes = (value: number) => formatBytes(value, 1);

function summaryText(line: Line): string {
  const summary = seriesSummary(line.series);
  return summary
    ? `${line.label} mean ${line.format(summary.mean)}, max ${line.format(summary.max)}`
    : `${line.label}: no samples`;
}

/** One chart: its lines on a scale of 0 to `top`, gaps where nothing was recorded, a legend. */
export function HistoryChart(
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

/** A chart of one line on its own scale, a little above its highest value (`floor` at least). */
export function OneLineChart(
  props: { title: string; name: string; hours: number; line: Line; floor: number },
) {
  const top = Math.max(props.floor, (seriesSummary(props.line.series)?.max ?? 0) * 1.1);
  return (
    <HistoryChart
      title={props.title}
      name={props.name}
      hours={props.hours}
      top={top}
      scale={`0-${props.line.format(top)}`}
      lines={[props.line]}
    />
  );
}
