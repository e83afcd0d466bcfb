import { formatBytes } from "../../lib/shared/stats.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import { normalizeGpuIds } from "../core/editable.ts";

/** Props of {@link GpuPicker}. */
export interface GpuPickerProps {
  value: string;
  onChange: (value: string) => void;
  dirty?: boolean;
  label: string;
}

/** One checkbox per GPU with its free VRAM (live); none checked means every GPU. */
export function GpuPicker(props: GpuPickerProps) {
  const { store } = useDashboard();
  const gpus = store.system.gpus;
  const selected = new Set(normalizeGpuIds(props.value).split(",").filter(Boolean));
  if (gpus.length === 0) {
    const reason = store.system.gpu_telemetry.reason ?? "no GPU found";
    return (
      <span class="muted" title={reason}>
        {props.value ? `GPU ${props.value}` : "N/A"}
      </span>
    );
  }
  const stats = store.stats.value;
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    props.onChange(normalizeGpuIds([...next].join(",")));
  };
  return (
    <fieldset class={`gpu-picker${props.dirty ? " field-dirty" : ""}`} aria-label={props.label}>
      {gpus.map((gpu) => {
        const live = stats?.gpus.find((g) =>
          g.id === gpu.id
        );
        const free = live ? `${formatBytes(live.vram.free, 1)} free` : gpu.name;
        return (
          <label class="gpu-box" key={gpu.id} title={`${gpu.name}: ${free}`}>
            <input
              type="checkbox"
              checked={selected.has(String(gpu.id))}
              onChange={(event) => toggle(String(gpu.id), event.currentTarget.checked)}
            />
            <span>{gpu.id}</span>
            <small class="muted">{live ? formatBytes(live.vram.free, 0) : ""}</small>
          </label>
        );
      })}
      {selected.size === 0 && <small class="muted">all</small>}
    </fieldset>
  );
}
