import { formatBytes, formatPercent } from "../../lib/shared/stats.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { GpuCard } from "./GpuCard.tsx";
import { Meter } from "./Meter.tsx";
import { type Trend, trendKey } from "../core/stats_history.ts";

/** The no-GPU notice in words; the raw loader message stays in the tooltip. */
function gpuNotice(reason: string | null): string {
  const text = (reason ?? "").replace(/^no GPU telemetry:\s*/i, "");
  if (/libnvidia-ml|dlopen|cannot load|shared object/i.test(text)) {
    return "the NVIDIA driver library (NVML) was not found. Instances run on CPU only unless you type GPU indices.";
  }
  return text || "unknown reason";
}

/** The System pane's views in the tools pane. */
const VIEWS = [
  {
    kind: "history",
    label: "History",
    title: "CPU, RAM and each GPU over the last hour, day or week",
  },
  {
    kind: "disk",
    label: "Disk",
    title: "Where the data folder's space goes: each instance, its outputs, the models, the trash",
  },
] as const;

/** CPU, RAM, disk and one card per GPU, from the `stats` events (1 Hz, no polling). */
export function SystemMonitor() {
  const { store, tools } = useDashboard();
  const stats = store.stats.value;
  const trend = (name: string): Trend => ({ name, values: store.statsHistory.values(name) });
  const telemetry = stats?.gpu_telemetry ?? store.system.gpu_telemetry;
  return (
    <>
      <div class="pane-header">
        <h2>System</h2>
        {stats && (
          <span class="muted" title="Load average (1, 5, 15 min)">
            load {stats.load_average.map((n) => n.toFixed(2)).join(" ")}
          </span>
        )}
        {VIEWS.map((view) => (
          <button
            key={view.kind}
            type="button"
            class="btn btn-sm"
            data-action={view.kind}
            title={view.title}
            onClick={() => tools.open({ kind: view.kind })}
          >
            {view.label}
          </button>
        ))}
      </div>
      {/* Focusable: with many GPUs (or a short pane) it scrolls, and keyboards must reach it. */}
      <div
        class="pane-body monitor-body"
        data-monitor
        tabIndex={0}
        role="group"
        aria-label="System figures"
      >
        <section class="monitor-block" aria-label="Host">
          <Meter
            label={`CPU${stats ? ` (${stats.cpu_count} cores)` : ""}`}
            percent={stats?.cpu_percent ?? null}
            text={stats ? formatPercent(stats.cpu_percent) : "–"}
            trend={trend(trendKey.cpu)}
          />
          <Meter
            label="RAM"
            percent={stats?.ram.percent ?? null}
            text={stats
              ? `${formatBytes(stats.ram.used, 1)} / ${formatBytes(stats.ram.total, 1)}`
              : "–"}
            hint={stats?.memory_source === "host" ? "Whole host" : "Container limit (cgroup)"}
            trend={trend(trendKey.ram)}
          />
          <Meter
            label="Disk (data)"
            percent={stats?.disk.percent ?? null}
            text={stats
              ? `${formatPercent(stats.disk.percent, 0)} used · ${
                formatBytes(stats.disk.free, 1)
              } free of ${formatBytes(stats.disk.total, 1)}`
              : "–"}
          />
        </section>
        {!telemetry.available && (
          <p class="monitor-note" data-no-gpu title={telemetry.reason ?? undefined}>
            No GPU telemetry: {gpuNotice(telemetry.reason)}
          </p>
        )}
        {stats?.gpus.map((gpu) => (
          <GpuCard
            key={gpu.id}
            gpu={gpu}
            trends={{
              vram: trend(trendKey.gpuVram(gpu.id)),
              utilization: trend(trendKey.gpuUtilization(gpu.id)),
            }}
          />
        ))}
        {stats && stats.attribution.status !== "ok" && stats.gpus.length > 0 && (
          <p class="muted small">Per-instance VRAM: {stats.attribution.reason}</p>
        )}
      </div>
    </>
  );
}
