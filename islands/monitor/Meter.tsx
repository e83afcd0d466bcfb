import type { Trend } from "../core/stats_history.ts";
import { Sparkline } from "./Sparkline.tsx";

/**
 * A labelled bar (a `<progress>`, so no inline style is needed under the CSP), with the course of
 * the last minutes below it when a trend is given.
 */
export function Meter(
  props: {
    label: string;
    percent: number | null;
    text: string;
    hint?: string;
    trend?: Trend;
  },
) {
  const percent = props.percent === null ? null : Math.max(0, Math.min(100, props.percent));
  const tone = percent === null ? "idle" : percent >= 90 ? "bad" : percent >= 70 ? "warn" : "ok";
  return (
    <div class="meter" title={props.hint}>
      <div class="meter-label">
        <span>{props.label}</span>
        <span class="meter-value">{props.text}</span>
      </div>
      <progress class={`tone-${tone}`} max={100} value={percent ?? 0} aria-label={props.label}>
        {props.text}
      </progress>
      {props.trend && (
        <Sparkline values={props.trend.values} label={props.label} name={props.trend.name} />
      )}
    </div>
  );
}
