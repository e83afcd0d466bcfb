/**
 * Whether an app is at work, by the latest resource figures: its process tree keeps a CPU busy,
 * or one of its GPUs computes while it holds memory there (where VRAM cannot be attributed to
 * instances, any of its GPUs computing counts). A batch queued in ComfyUI, or a training started
 * from a page that was then closed, makes no request, yet is work that a stop would lose. Idle
 * stop never stops an app at work; the dashboard's Stop asks first. Shared by both.
 */
import { selectsGpu } from "./gpu_sharing.ts";
import type { SystemStats } from "./stats.ts";

/** An app's process tree using this much CPU (100 = one core) is working, not idle. */
export const WORKING_CPU_PERCENT = 20;
/** A GPU of the app this busy is working for it. */
export const WORKING_GPU_PERCENT = 10;

/** What an app is doing that shows it works. */
export interface AppWork {
  /** Its tree's CPU (100 = one core) when at least WORKING_CPU_PERCENT, else null. */
  cpuPercent: number | null;
  /** Its GPUs that compute for it, with their utilization. */
  gpus: { id: number; utilizationPercent: number }[];
}

/** The app's work by `stats`, or null when it does none (or there are no figures). */
export function appWork(
  instance: { id: number; gpuIds: string | null },
  stats: SystemStats | null,
): AppWork | null {
  if (stats === null) return null;
  const own = stats.instances[String(instance.id)];
  const cpu = own?.cpu_percent ?? 0;
  const perGpu = own?.vram_per_gpu ?? null;
  const gpus = stats.gpus
    .filter((gpu) =>
      selectsGpu(instance.gpuIds, { index: gpu.id, uuid: gpu.uuid }) &&
      (gpu.utilization_percent ?? 0) >= WORKING_GPU_PERCENT &&
      (perGpu === null || (perGpu[String(gpu.id)] ?? 0) > 0)
    )
    .map((gpu) => ({ id: gpu.id, utilizationPercent: gpu.utilization_percent ?? 0 }));
  if (cpu < WORKING_CPU_PERCENT && gpus.length === 0) return null;
  return { cpuPercent: cpu >= WORKING_CPU_PERCENT ? cpu : null, gpus };
}

/** "its processes keep 3.4 cores busy; GPU 0 computes at 97 %", for a confirmation. */
export function describeAppWork(work: AppWork): string {
  const parts: string[] = [];
  const cpu = work.cpuPercent;
  if (cpu !== null) {
    const cores = Math.round(cpu / 10) / 10;
    parts.push(
      cpu < 100
        ? `its processes use ${Math.round(cpu)} % of a core`
        : cores === 1
        ? "its processes keep a core busy"
        : `its processes keep ${cores} cores busy`,
    );
  }
  for (const gpu of work.gpus) {
    parts.push(`GPU ${gpu.id} computes at ${Math.round(gpu.utilizationPercent)} %`);
  }
  return parts.join("; ");
}
