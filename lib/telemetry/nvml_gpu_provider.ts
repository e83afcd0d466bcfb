import type { Logger } from "../log/mod.ts";
import type { GpuProvider, GpuSample, GpuStatic } from "./gpu_provider.ts";
import type { NvmlDevice, NvmlFailure } from "./nvml_device.ts";
import { nvmlErrorText } from "./nvml_static.ts";
import type { NvmlLibrary } from "./nvml_symbols.ts";

/** Logs each distinct (GPU, symbol, return code) failure once, so a 1 Hz loop does not flood the log. */
export function onceFailureLogger(lib: NvmlLibrary, logger: Logger): NvmlFailure {
  const seen = new Set<string>();
  return (index, symbol, rc) => {
    const key = `${index}:${symbol}:${rc}`;
    if (seen.has(key)) return;
    seen.add(key);
    const gpu = index < 0 ? {} : { gpu: index };
    logger.warn(`NVML ${symbol} failed; the value is shown as unknown`, {
      ...gpu,
      error: nvmlErrorText(lib, rc),
    });
  };
}

/** A GPU provider over an initialised NVML library. */
export class NvmlGpuProvider implements GpuProvider {
  readonly available = true;
  readonly reason = null;
  readonly devices: GpuStatic[];
  #inFlight: Promise<GpuSample[]> | null = null;
  #closed = false;

  constructor(
    private readonly lib: NvmlLibrary,
    private readonly gpus: NvmlDevice[],
    readonly driverVersion: string | null,
    private readonly logger: Logger,
  ) {
    this.devices = gpus.map((gpu) => gpu.info);
  }

  sample(): Promise<GpuSample[]> {
    if (this.#closed) return Promise.resolve([]);
    this.#inFlight ??= this.#sampleAll().finally(() => this.#inFlight = null);
    return this.#inFlight;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const shutdown = () => {
      this.lib.symbols.nvmlShutdown();
      this.lib.close();
    };
    // Unloading the library under a pending nonblocking call would crash the process.
    if (this.#inFlight) void this.#inFlight.finally(shutdown);
    else shutdown();
  }

  async #sampleAll(): Promise<GpuSample[]> {
    const samples = await Promise.all(this.gpus.map(async (gpu) => {
      try {
        return await gpu.sample();
      } catch (error) {
        this.logger.warn("GPU sample failed", { gpu: gpu.info.index, error });
        return null;
      }
    }));
    return samples.filter((s): s is GpuSample => s !== null);
  }
}
