/** The usage history's charts as plain data: lines broken at gaps, and the ranges' names. */
import type { HistorySeries } from "../../lib/shared/usage_history.ts";

/**
 * The polylines (SVG `points`) of a series drawn `width` × `height` on a scale of 0 to `top`: one
 * per run of buckets with a value, so a time AiKore was not running shows as a gap. A lone value
 * is drawn as a short flat stroke, so that it shows.
 */
export function seriesLines(
  series: HistorySeries,
  width: number,
  height: number,
  top = 100,
): string[] {
  const step = width / Math.max(1, series.length);
  const lines: string[] = [];
  let points: string[] = [];
  const point = (x: number, value: number) => {
    const y = height - (Math.max(0, Math.min(top, value)) / top) * height;
    return `${+x.toFixed(1)},${+y.toFixed(1)}`;
  };
  series.forEach((value, i) => {
    if (value === null) {
      if (points.length) lines.push(points.join(" "));
      points = [];
      return;
    }
    points.push(point(i * step, value), point((i + 1) * step, value));
  });
  if (points.length) lines.push(points.join(" "));
  return lines;
}

/** "1 h", "24 h", "7 days": a range as the view names it. */
export function rangeName(hours: number): string {
  return hours % 24 === 0 && hours > 24 ? `${hours / 24} days` : `${hours} h`;
}
