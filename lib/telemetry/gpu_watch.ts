/**
 * Watches the GPUs NVML listed at start: one that drops out of a sample (its memory can no longer
 * be read: it fell off the bus, the driver faulted) is told once, so that whoever left a
 * week-long run on it hears of it now, not next week. Fed the usage recorder's samples (every
 * 10 s, whether or not a page is open).
 */
import type { Logger } from "../log/mod.ts";
import type { SystemStats } from "../shared/stats.ts";
import type { GpuStatic } from "./gpu_provider.ts";

export interface GpuWatchOptions {
  /** The GPUs found at start (the provider's devices). */
  devices: readonly GpuStatic[];
  /** Told once when a GPU stops answering; again only after it came back. */
  onLost: (gpu: GpuStatic) => void;
  logger: Logger;
}

export class GpuWatch {
  /** Indices of the GPUs missing from the last sample. */
  readonly #lost = new Set<number>();

  constructor(private readonly options: GpuWatchOptions) {}

  /** Compares one sample with the GPUs found at start. */
  observe(stats: SystemStats): void {
    if (!stats.gpu_telemetry.available) return;
    const present = new Set(stats.gpus.map((gpu) => gpu.id));
    for (const device of this.options.devices) {
      const missing = !present.has(device.index);
      if (missing && !this.#lost.has(device.index)) {
        this.#lost.add(device.index);
        this.options.logger.error("a GPU stopped answering the driver (NVML)", {
          gpu: device.index,
          name: device.name,
          uuid: device.uuid,
        });
        this.options.onLost(device);
      } else if (!missing && this.#lost.delete(device.index)) {
        this.options.logger.info("a GPU answers the driver again", { gpu: device.index });
      }
    }
  }
}
