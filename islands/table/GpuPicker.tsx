import { formatBytes } from "../../lib/shared/stats.ts";
import { useDashboard } from "../core/dashboard_context.ts";
import {
  ALL_GPUS,
  gpuChoiceProblem,
  type GpuMode,
  gpuModeOf,
  NO_GPU,
  normalizeGpuIds,
} from "../core/gpu_choice.ts";
import { bestGpu } from "../core/new_instance.ts";

/** Props of {@link GpuPicker}. */
export interface GpuPickerProps {
  value: string;
  onChange: (value: string) => void;
  dirty?: boolean;
  label: string;
}

const MODE_LABELS: Record<GpuMode, string> = {
  none: "CPU only",
  all: "All GPUs",
  chosen: "Chosen GPUs",
};

/**
 * Three explicit choices: CPU only, all GPUs, or chosen GPUs: one checkbox per GPU with its
 * free VRAM (live), or typed indices when NVML cannot list them.
 */
export function GpuPicker(props: GpuPickerProps) {
  const { store } = useDashboard();
  const gpus = store.system.gpus;
  const known = gpus.length > 0;
  const mode = gpuModeOf(props.value);
  const problem = gpuChoiceProblem(props.value, known ? gpus.length : null);
  const pick = (next: GpuMode) => {
    if (next === "none") props.onChange(NO_GPU);
    else if (next === "all") props.onChange(ALL_GPUS);
    else props.onChange(known ? bestGpu(gpus, store.stats.value) : "0");
  };
  const noNvml = store.system.gpu_telemetry.available ? null : "GPUs cannot be listed here";
  return (
    <div class={`gpu-picker${props.dirty ? " field-dirty" : ""}`}>
      <select
        aria-label={props.label}
        data-field="gpu_mode"
        value={mode}
        title={mode === "none" ? "The app sees no GPU (CUDA_VISIBLE_DEVICES is empty)" : undefined}
        onChange={(event) => pick(event.currentTarget.value as GpuMode)}
      >
        {(Object.keys(MODE_LABELS) as GpuMode[]).map((m) => (
          <option key={m} value={m}>{MODE_LABELS[m]}</option>
        ))}
      </select>
      {mode === "chosen" && (known ? <GpuBoxes {...props} /> : (
        <input
          class="gpu-typed mono"
          aria-label={`${props.label}: GPU indices`}
          data-field="gpu_ids"
          value={props.value}
          placeholder="0,1"
          title={noNvml ?? "GPU indices, e.g. 0,1"}
          aria-invalid={problem ? "true" : undefined}
          spellcheck={false}
          onInput={(event) => props.onChange(event.currentTarget.value.replace(/\s+/g, ""))}
        />
      ))}
      {problem && <small class="field-problem" role="alert">{problem}</small>}
    </div>
  );
}

function GpuBoxes(props: GpuPickerProps) {
  const { store } = useDashboard();
  const selected = new Set(normalizeGpuIds(props.value).split(",").filter(Boolean));
  const stats = store.stats.value;
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    props.onChange(normalizeGpuIds([...next].join(",")));
  };
  return (
    <fieldset class="gpu-boxes" aria-label={`${props.label}: chosen GPUs`}>
      {store.system.gpus.map((gpu) => {
        const live = stats?.gpus.find((g) => g.id === gpu.id);
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
    </fieldset>
  );
}
