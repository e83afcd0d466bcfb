import { sparklinePoints } from "../core/stats_history.ts";

const WIDTH = 120;
const HEIGHT = 20;

/** The last minutes of a percentage as a line (SVG attributes only: nothing inline for the CSP). */
export function Sparkline(props: { values: readonly number[]; label: string; name: string }) {
  const { values } = props;
  if (values.length < 2) return null;
  const low = Math.round(Math.min(...values));
  const high = Math.round(Math.max(...values));
  const minutes = Math.max(1, Math.round(values.length / 60));
  return (
    <svg
      class="sparkline"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${props.label}, last ${minutes} min: ${low}–${high} %`}
      data-trend={props.name}
    >
      <title>{`${props.label}, last ${minutes} min: ${low}–${high} %`}</title>
      <polyline points={sparklinePoints(values, WIDTH, HEIGHT)} />
    </svg>
  );
}
