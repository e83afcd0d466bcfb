import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  HISTORY_HOURS,
  type InstanceUsageHistory,
  type UsageHistory,
} from "../../lib/shared/usage_history.ts";
import { errorText } from "../core/api_client.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { rangeName } from "../core/history_chart.ts";
import { bytes, HistoryChart, line, OneLineChart, percent, unit } from "./HistoryChart.tsx";

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
 * A history view's frame: the range buttons, then the charts `children` draws once the history
 * for the chosen range has come.
 */
function HistoryPanel<T extends { step_ms: number; hours: number }>(
  props: { path: string; note: string; children: (history: T) => ComponentChildren },
) {
  const [hours, setHours] = useState(24);
  const { history, failure } = useHistory<T>(props.path, hours);
  return (
    <div class="history-view" data-history>
      <RangeButtons hours={hours} onChange={setHours} note={props.note} />
      {history ? props.children(history) : <Loading failure={failure} />}
    </div>
  );
}

/**
 * The usage history: CPU, RAM and each GPU over the last hour, 6 h, 24 h or 7 days, as the
 * server recorded them every 10 s (also while no page was open), the longer ranges from their
 * 5-minute averages.
 */
export function UsageHistoryView() {
  const { store } = useDashboard();
  const gpuName = (id: number) => store.system.gpus.find((gpu) => gpu.id === id)?.name;
  return (
    <HistoryPanel<UsageHistory>
      path="/api/system/stats/history"
      note="every 10 s for 6 h, 5-minute averages for 7 days; a gap is a time AiKore was not running"
    >
      {(history) => (
        <>
          <HistoryChart
            title="Host"
            name="host"
            hours={history.hours}
            top={100}
            scale="0-100 %"
            lines={[
              line("CPU", "cpu", history.cpu_percent, percent),
              line("RAM", "ram", history.ram_percent, percent),
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
                line("utilization", "gpu-use", gpu.utilization_percent, percent),
                line("VRAM", "vram", gpu.vram_percent, percent),
                line("temperature", "temperature", gpu.temperature_c, unit(" °C")),
                line("power", "power", gpu.power_w, unit(" W"), false),
              ]}
            />
          ))}
        </>
      )}
    </HistoryPanel>
  );
}

/** An instance's three charts: CPU (on a scale of at least one core), memory and VRAM. */
function instanceCharts(history: InstanceUsageHistory) {
  return [
    {
      title: "CPU (100 % = one core)",
      name: "instance-cpu",
      floor: 100,
      line: line("CPU", "cpu", history.cpu_percent, percent),
    },
    {
      title: "Memory (RSS)",
      name: "instance-rss",
      floor: 1,
      line: line("RSS", "ram", history.rss_bytes, bytes),
    },
    {
      title: "VRAM",
      name: "instance-vram",
      floor: 1,
      line: line("VRAM", "vram", history.vram_bytes, bytes),
    },
  ];
}

/**
 * One instance's usage while it ran: the CPU of its whole process tree (percent of one core),
 * its memory (RSS) and its VRAM, over the chosen range. A memory leak shows as a rising line.
 */
export function InstanceUsageView(props: { id: number }) {
  return (
    <HistoryPanel<InstanceUsageHistory>
      path={`/api/instances/${props.id}/stats/history`}
      note="its whole process tree, every 10 s while it runs; a gap is a time it was not running"
    >
      {(history) =>
        instanceCharts(history).map((chart) => (
          <OneLineChart key={chart.name} hours={history.hours} {...chart} />
        ))}
    </HistoryPanel>
  );
}
