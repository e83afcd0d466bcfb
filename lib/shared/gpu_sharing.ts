/**
 * Which GPUs an instance would share if it started now. Two apps on one GPU can run it out of
 * memory, and a CUDA out-of-memory error ends whichever run asks next: a week-long training
 * included. AiKore cannot stop that from happening, but it says so before the start (the
 * dashboard asks, the CLI warns). Shared by the server's notices, the CLI and the browser.
 */
import type { InstanceStatus } from "./instance_schema.ts";
import { SERVING_STATUSES } from "./instance_status.ts";
import { formatBytes, type GpuStats } from "./stats.ts";

/**
 * Whether a stored GPU selection takes the GPU: "" or null (all GPUs), "none" (CPU only: no
 * GPU), or a list of indices and UUIDs.
 */
export function selectsGpu(
  gpuIds: string | null,
  gpu: { index: number; uuid: string },
): boolean {
  if (gpuIds === null || gpuIds === "" || gpuIds === "all") return true;
  return gpuIds.split(",").some((part) => part === String(gpu.index) || part === gpu.uuid);
}

/**
 * Whether two stored GPU selections can share a GPU, with no GPU list at hand (at AiKore's start,
 * before the first sample): all GPUs shares with every selection but CPU only; index or UUID
 * lists share when they name one GPU alike.
 */
export function gpuSelectionsOverlap(a: string | null, b: string | null): boolean {
  const every = (s: string | null) => s === null || s === "" || s === "all";
  if (a === "none" || b === "none") return false;
  if (every(a) || every(b)) return true;
  const named = new Set((a ?? "").split(","));
  return (b ?? "").split(",").some((part) => named.has(part));
}

/** Below this share of free memory a GPU counts as busy, whoever uses it. */
export const BUSY_FREE_SHARE = 0.25;

/** One GPU the instance would share. */
export interface SharedGpu {
  id: number;
  name: string;
  /** The other instances running on it (by name). */
  instances: string[];
  usedBytes: number;
  totalBytes: number;
}

interface InstanceOnGpus {
  id: number;
  name: string;
  status: InstanceStatus;
  gpu_ids: string | null;
}

/**
 * The GPUs `target` would start on that are busy now: another running instance is pinned to it,
 * or less than BUSY_FREE_SHARE of its memory is free (a training started from a terminal, an app
 * outside AiKore). Empty when there is nothing to warn about, or no GPU telemetry.
 */
export function sharedGpusFor(
  target: Pick<InstanceOnGpus, "id" | "gpu_ids">,
  instances: readonly InstanceOnGpus[],
  gpus: readonly GpuStats[],
): SharedGpu[] {
  const shared: SharedGpu[] = [];
  for (const gpu of gpus) {
    const device = { index: gpu.id, uuid: gpu.uuid };
    if (!selectsGpu(target.gpu_ids, device)) continue;
    const others = instances
      .filter((i) =>
        i.id !== target.id && SERVING_STATUSES.has(i.status) && selectsGpu(i.gpu_ids, device)
      )
      .map((i) => i.name);
    const lowOnMemory = gpu.vram.total > 0 && gpu.vram.free / gpu.vram.total < BUSY_FREE_SHARE;
    if (others.length === 0 && !lowOnMemory) continue;
    shared.push({
      id: gpu.id,
      name: gpu.name,
      instances: others,
      usedBytes: gpu.vram.used,
      totalBytes: gpu.vram.total,
    });
  }
  return shared;
}

/** One shared GPU in words: `GPU 0 (RTX 4090): 18.2 GB of 24.0 GB in use, by "ComfyUI"`. */
export function describeSharedGpu(gpu: SharedGpu): string {
  const users = gpu.instances.length === 0
    ? " (not by an instance of AiKore)"
    : `, by ${gpu.instances.map((name) => JSON.stringify(name)).join(", ")}`;
  const memory = `${formatBytes(gpu.usedBytes, 1)} of ${formatBytes(gpu.totalBytes, 1)} in use`;
  return `GPU ${gpu.id} (${gpu.name}): ${memory}${users}`;
}

/** Why an automatic start (a wake on request) waits for the user: the busy GPUs, in words. */
export function heldBackText(shared: readonly SharedGpu[]): string {
  return `Not started by itself: ${shared.map(describeSharedGpu).join("; ")}. Started there, it ` +
    "could run the GPU out of memory and end a run on it. Start it here if you mean to.";
}
