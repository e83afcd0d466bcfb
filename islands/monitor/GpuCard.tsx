import { formatBytes, formatPercent, type GpuStats } from "../../lib/shared/stats.ts";
import type { Trend } from "../core/stats_history.ts";
import { Meter } from "./Meter.tsx";

/** One GPU: VRAM, utilization (each with its last minutes), temperature and power. */
export function GpuCard(props: { gpu: GpuStats; trends: { vram: Trend; utilization: Trend } }) {
  const { gpu } = props;
  return (
    <section class="gpu-card" aria-label={`GPU ${gpu.id}`} data-gpu={gpu.id}>
      <h3>
        GPU {gpu.id}: {gpu.name}
      </h3>
      <Meter
        label="VRAM"
        percent={gpu.vram.percent}
        text={`${formatBytes(gpu.vram.used, 1)} / ${formatBytes(gpu.vram.total, 1)}`}
        trend={props.trends.vram}
      />
      <Meter
        label="Utilization"
        percent={gpu.utilization_percent}
        text={formatPercent(gpu.utilization_percent, 0)}
        trend={props.trends.utilization}
      />
      <div class="gpu-facts">
        <span>{gpu.temperature_c === null ? "– °C" : `${gpu.temperature_c} °C`}</span>
        <span>{gpu.power_w === null ? "– W" : `${gpu.power_w.toFixed(0)} W`}</span>
        {gpu.compute_capability && <span class="muted">sm {gpu.compute_capability}</span>}
      </div>
    </section>
  );
}
