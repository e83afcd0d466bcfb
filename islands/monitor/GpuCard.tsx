import {
  formatBytes,
  formatPercent,
  type GpuProcessStats,
  type GpuStats,
} from "../../lib/shared/stats.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import type { Trend } from "../core/stats_history.ts";
import { Meter } from "./Meter.tsx";

/**
 * Who uses the GPU: each process with its VRAM, named by its instance where it is one's ("not
 * an instance's": a training started in a terminal, another program); by pid alone where this
 * AiKore cannot see the pids (a container without `pid: host`).
 */
function GpuProcesses(props: { processes: GpuProcessStats[] | null }) {
  const { store } = useDashboard();
  const processes = props.processes;
  if (!processes?.length) return null;
  const whose = (p: GpuProcessStats) => {
    if (p.instance_id !== null) {
      return store.row(p.instance_id)?.dto.value.name ?? `#${p.instance_id}`;
    }
    return p.name === null ? null : "not an instance's";
  };
  return (
    <ul class="gpu-processes" aria-label="Processes on this GPU">
      {processes.map((p) => (
        <li key={p.pid} data-gpu-process={p.pid}>
          <span class="mono">{p.name ?? `pid ${p.pid}`}</span>
          {p.name !== null && <span class="muted">{` · pid ${p.pid}`}</span>}
          {whose(p) !== null && (
            <span class={p.instance_id === null ? "muted" : ""}>{` · ${whose(p)}`}</span>
          )}
          <span class="gpu-process-vram">
            {p.vram_bytes === null ? "–" : formatBytes(p.vram_bytes, 1)}
          </span>
        </li>
      ))}
    </ul>
  );
}

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
      <GpuProcesses processes={gpu.processes} />
    </section>
  );
}
