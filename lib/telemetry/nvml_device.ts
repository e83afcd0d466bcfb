import type { GpuProcess, GpuSample, GpuStatic } from "./gpu_provider.ts";
import { decodeMemory, decodeProcesses, milliwattsToWatts } from "./nvml_decode.ts";
import {
  MEMORY_V2_BYTES,
  NVML_ERROR_INSUFFICIENT_SIZE,
  NVML_MEMORY_V2_VERSION,
  NVML_SUCCESS,
  NVML_TEMPERATURE_GPU,
  type NvmlLibrary,
  PROCESS_INFO_BYTES,
} from "./nvml_symbols.ts";

/** Called when an NVML call fails; the provider logs each distinct failure once. */
export type NvmlFailure = (index: number, symbol: string, rc: number) => void;

const PROCESS_HEADROOM = 16;

/**
 * One GPU's per-sample queries. Buffers are owned per device and reused, which is safe because
 * the provider never runs two samples at once.
 */
export class NvmlDevice {
  readonly #memory = new Uint8Array(MEMORY_V2_BYTES);
  readonly #utilization = new Uint32Array(2);
  readonly #temperature = new Uint32Array(1);
  readonly #power = new Uint32Array(1);
  readonly #count = new Uint32Array(1);
  #processes = new Uint8Array(PROCESS_INFO_BYTES * 32);

  constructor(
    private readonly lib: NvmlLibrary,
    private readonly handle: Deno.PointerObject,
    readonly info: GpuStatic,
    private readonly fail: NvmlFailure,
  ) {}

  /** Null when the memory query fails (e.g. the GPU fell off the bus). */
  async sample(): Promise<GpuSample | null> {
    const [memory, utilization, temperature, power, processes] = await Promise.all([
      this.#readMemory(),
      this.#call(
        "nvmlDeviceGetUtilizationRates",
        (s) => s.sampleUtilizationRates(this.handle, this.#utilization),
      ),
      this.#call(
        "nvmlDeviceGetTemperature",
        (s) => s.sampleTemperature(this.handle, NVML_TEMPERATURE_GPU, this.#temperature),
      ),
      this.#call("nvmlDeviceGetPowerUsage", (s) => s.samplePowerUsage(this.handle, this.#power)),
      this.#readProcesses(),
    ]);
    if (!memory) return null;
    return {
      ...this.info,
      memoryTotalBytes: memory.total,
      memoryUsedBytes: memory.used,
      memoryFreeBytes: memory.free,
      utilizationGpuPercent: utilization ? this.#utilization[0] ?? null : null,
      utilizationMemoryPercent: utilization ? this.#utilization[1] ?? null : null,
      temperatureC: temperature ? this.#temperature[0] ?? null : null,
      powerWatts: power ? milliwattsToWatts(this.#power[0] ?? 0) : null,
      processes: processes ?? [],
      processesAvailable: processes !== null,
    };
  }

  async #call(
    symbol: string,
    run: (s: NvmlLibrary["symbols"]) => Promise<number>,
  ): Promise<boolean> {
    const rc = await run(this.lib.symbols);
    if (rc === NVML_SUCCESS) return true;
    this.fail(this.info.index, symbol, rc);
    return false;
  }

  async #readMemory() {
    const s = this.lib.symbols;
    const v2 = s.nvmlDeviceGetMemoryInfo_v2 !== null ? s.sampleMemoryInfo_v2 : null;
    if (v2) new DataView(this.#memory.buffer).setUint32(0, NVML_MEMORY_V2_VERSION, true);
    const ok = v2
      ? await this.#call("nvmlDeviceGetMemoryInfo_v2", () => v2(this.handle, this.#memory))
      : await this.#call(
        "nvmlDeviceGetMemoryInfo",
        () => s.sampleMemoryInfo(this.handle, this.#memory),
      );
    return ok ? decodeMemory(this.#memory, v2 !== null) : null;
  }

  /** Null when the driver cannot list processes. Grows the buffer while NVML says it is too small. */
  async #readProcesses(): Promise<GpuProcess[] | null> {
    const s = this.lib.symbols;
    const query = s.nvmlDeviceGetComputeRunningProcesses_v3 !== null
      ? s.sampleComputeRunningProcesses_v3
      : null;
    if (!query) return null;
    const symbol = "nvmlDeviceGetComputeRunningProcesses_v3";
    for (let attempt = 0; attempt < 4; attempt++) {
      this.#count[0] = this.#processes.byteLength / PROCESS_INFO_BYTES;
      const rc = await query(this.handle, this.#count, this.#processes);
      const count = this.#count[0] ?? 0;
      if (rc === NVML_SUCCESS) return decodeProcesses(this.#processes, count);
      if (rc !== NVML_ERROR_INSUFFICIENT_SIZE) {
        this.fail(this.info.index, symbol, rc);
        return null;
      }
      // Processes can start between the sizing answer and the next call: leave headroom.
      this.#processes = new Uint8Array((count + PROCESS_HEADROOM) * PROCESS_INFO_BYTES);
    }
    this.fail(this.info.index, symbol, NVML_ERROR_INSUFFICIENT_SIZE);
    return null;
  }
}
