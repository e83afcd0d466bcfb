/**
 * NVML ABI as used by AiKore (layouts from the public nvml.h). Symbols that older drivers lack
 * are optional: a missing non-optional symbol makes the whole dlopen fail.
 */

/** NVML return codes AiKore reacts to. */
export const NVML_SUCCESS = 0;
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;

/** `NVML_STRUCT_VERSION(Memory, 2)`: sizeof(nvmlMemory_v2_t) | 2 << 24. */
export const NVML_MEMORY_V2_VERSION = 0x02000028;
export const MEMORY_V1_BYTES = 24;
export const MEMORY_V2_BYTES = 40;
/** nvmlProcessInfo_t as filled by the _v3 query: {u32 pid, pad, u64 used, u32 gi, u32 ci}. */
export const PROCESS_INFO_BYTES = 24;
/** NVML_VALUE_NOT_AVAILABLE for unsigned long long fields. */
export const NVML_VALUE_NOT_AVAILABLE = 0xFFFFFFFFFFFFFFFFn;
export const NAME_BUFFER_BYTES = 96;
export const UUID_BUFFER_BYTES = 96;
export const DRIVER_VERSION_BUFFER_BYTES = 80;
export const NVML_TEMPERATURE_GPU = 0;

const deviceOut = { parameters: ["pointer", "buffer"], result: "i32" } as const;
const deviceOutNb = { ...deviceOut, nonblocking: true } as const;

/**
 * Symbols called once at open (synchronous) and per sample (nonblocking, on Deno's thread pool).
 * Deno 2.9 returns a throwing stub instead of null for a missing optional *nonblocking* symbol, so
 * each optional nonblocking alias has a synchronous twin that tells whether the symbol exists.
 */
export const NVML_SYMBOLS = {
  nvmlInit_v2: { parameters: [], result: "i32", optional: true },
  nvmlInit: { parameters: [], result: "i32", optional: true },
  nvmlShutdown: { parameters: [], result: "i32" },
  nvmlErrorString: { parameters: ["i32"], result: "pointer" },
  nvmlSystemGetDriverVersion: { parameters: ["buffer", "u32"], result: "i32" },
  nvmlDeviceGetCount_v2: { parameters: ["buffer"], result: "i32", optional: true },
  nvmlDeviceGetCount: { parameters: ["buffer"], result: "i32", optional: true },
  nvmlDeviceGetHandleByIndex_v2: { parameters: ["u32", "buffer"], result: "i32", optional: true },
  nvmlDeviceGetHandleByIndex: { parameters: ["u32", "buffer"], result: "i32", optional: true },
  nvmlDeviceGetName: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  nvmlDeviceGetUUID: { parameters: ["pointer", "buffer", "u32"], result: "i32" },
  nvmlDeviceGetCudaComputeCapability: {
    parameters: ["pointer", "buffer", "buffer"],
    result: "i32",
  },
  nvmlDeviceGetMemoryInfo: deviceOut,
  nvmlDeviceGetMemoryInfo_v2: { ...deviceOut, optional: true },
  sampleMemoryInfo: { ...deviceOutNb, name: "nvmlDeviceGetMemoryInfo" },
  sampleMemoryInfo_v2: { ...deviceOutNb, name: "nvmlDeviceGetMemoryInfo_v2", optional: true },
  sampleUtilizationRates: { ...deviceOutNb, name: "nvmlDeviceGetUtilizationRates" },
  sampleTemperature: {
    name: "nvmlDeviceGetTemperature",
    parameters: ["pointer", "i32", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  samplePowerUsage: { ...deviceOutNb, name: "nvmlDeviceGetPowerUsage" },
  nvmlDeviceGetComputeRunningProcesses_v3: {
    parameters: ["pointer", "buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  sampleComputeRunningProcesses_v3: {
    name: "nvmlDeviceGetComputeRunningProcesses_v3",
    parameters: ["pointer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
    optional: true,
  },
} as const;

/** The opened library. */
export type NvmlLibrary = Deno.DynamicLibrary<typeof NVML_SYMBOLS>;
