import type { GpuProcess } from "./gpu_provider.ts";
import { NVML_VALUE_NOT_AVAILABLE, PROCESS_INFO_BYTES } from "./nvml_symbols.ts";

const decoder = new TextDecoder();

/** Memory figures in bytes. */
export interface NvmlMemory {
  total: number;
  used: number;
  free: number;
}

/** The text before the first NUL of a C string buffer. */
export function decodeCString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** nvmlMemory_t {u64 total, free, used} or nvmlMemory_v2_t {u32 version, pad, u64 total, reserved, free, used}. */
export function decodeMemory(bytes: Uint8Array, v2: boolean): NvmlMemory {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u64 = (offset: number) => Number(view.getBigUint64(offset, true));
  return v2
    ? { total: u64(8), free: u64(24), used: u64(32) }
    : { total: u64(0), free: u64(8), used: u64(16) };
}

/** The first `count` nvmlProcessInfo_t records of a _v3 process query. */
export function decodeProcesses(bytes: Uint8Array, count: number): GpuProcess[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const processes: GpuProcess[] = [];
  for (let i = 0; i < count && (i + 1) * PROCESS_INFO_BYTES <= bytes.byteLength; i++) {
    const base = i * PROCESS_INFO_BYTES;
    const used = view.getBigUint64(base + 8, true);
    processes.push({
      pid: view.getUint32(base, true),
      usedMemoryBytes: used === NVML_VALUE_NOT_AVAILABLE ? null : Number(used),
    });
  }
  return processes;
}

/** NVML reports power in milliwatts. */
export function milliwattsToWatts(milliwatts: number): number {
  return Math.round(milliwatts) / 1000;
}
