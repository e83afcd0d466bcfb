import type { GpuStatic } from "./gpu_provider.ts";
import { decodeCString, decodeMemory } from "./nvml_decode.ts";
import type { NvmlFailure } from "./nvml_device.ts";
import {
  DRIVER_VERSION_BUFFER_BYTES,
  MEMORY_V2_BYTES,
  NAME_BUFFER_BYTES,
  NVML_MEMORY_V2_VERSION,
  NVML_SUCCESS,
  type NvmlLibrary,
  UUID_BUFFER_BYTES,
} from "./nvml_symbols.ts";

/** "Insufficient Permissions (4)", with the text from nvmlErrorString. */
export function nvmlErrorText(lib: NvmlLibrary, rc: number): string {
  const pointer = lib.symbols.nvmlErrorString(rc);
  const text = pointer ? Deno.UnsafePointerView.getCString(pointer) : "unknown error";
  return `${text} (${rc})`;
}

/** The driver version, or null when NVML cannot tell. */
export function readDriverVersion(lib: NvmlLibrary, fail: NvmlFailure): string | null {
  const buffer = new Uint8Array(DRIVER_VERSION_BUFFER_BYTES);
  const rc = lib.symbols.nvmlSystemGetDriverVersion(buffer, buffer.byteLength);
  if (rc === NVML_SUCCESS) return decodeCString(buffer);
  fail(-1, "nvmlSystemGetDriverVersion", rc);
  return null;
}

/** The number of GPUs; throws with NVML's reason when the count cannot be read. */
export function readDeviceCount(lib: NvmlLibrary): number {
  const getCount = lib.symbols.nvmlDeviceGetCount_v2 ?? lib.symbols.nvmlDeviceGetCount;
  if (!getCount) throw new Error("the library exports no nvmlDeviceGetCount");
  const out = new Uint32Array(1);
  const rc = getCount(out);
  if (rc !== NVML_SUCCESS) throw new Error(`nvmlDeviceGetCount failed: ${nvmlErrorText(lib, rc)}`);
  return out[0] ?? 0;
}

/** A device handle and what does not change; null (after reporting) when the GPU cannot be opened. */
export function openDevice(
  lib: NvmlLibrary,
  index: number,
  fail: NvmlFailure,
): { handle: Deno.PointerObject; info: GpuStatic } | null {
  const getHandle = lib.symbols.nvmlDeviceGetHandleByIndex_v2 ??
    lib.symbols.nvmlDeviceGetHandleByIndex;
  if (!getHandle) return null;
  const out = new BigUint64Array(1);
  const rc = getHandle(index, out);
  const handle = rc === NVML_SUCCESS ? Deno.UnsafePointer.create(out[0] ?? 0n) : null;
  if (!handle) {
    fail(index, "nvmlDeviceGetHandleByIndex", rc);
    return null;
  }
  const text = (symbol: string, size: number, read: (b: Uint8Array) => number) => {
    const buffer = new Uint8Array(size);
    const code = read(buffer);
    if (code === NVML_SUCCESS) return decodeCString(buffer);
    fail(index, symbol, code);
    return null;
  };
  const s = lib.symbols;
  const name = text(
    "nvmlDeviceGetName",
    NAME_BUFFER_BYTES,
    (b) => s.nvmlDeviceGetName(handle, b, b.byteLength),
  );
  const uuid = text(
    "nvmlDeviceGetUUID",
    UUID_BUFFER_BYTES,
    (b) => s.nvmlDeviceGetUUID(handle, b, b.byteLength),
  );
  return {
    handle,
    info: {
      index,
      name: name ?? `GPU ${index}`,
      uuid: uuid ?? "",
      memoryTotalBytes: readTotalMemory(lib, handle),
      computeCapability: readComputeCapability(lib, handle, index, fail),
    },
  };
}

function readTotalMemory(lib: NvmlLibrary, handle: Deno.PointerObject): number {
  const buffer = new Uint8Array(MEMORY_V2_BYTES);
  const v2 = lib.symbols.nvmlDeviceGetMemoryInfo_v2;
  if (v2) {
    new DataView(buffer.buffer).setUint32(0, NVML_MEMORY_V2_VERSION, true);
    if (v2(handle, buffer) === NVML_SUCCESS) return decodeMemory(buffer, true).total;
  }
  // The first sample reports a failing memory query; here 0 only means "not known yet".
  return lib.symbols.nvmlDeviceGetMemoryInfo(handle, buffer) === NVML_SUCCESS
    ? decodeMemory(buffer, false).total
    : 0;
}

function readComputeCapability(
  lib: NvmlLibrary,
  handle: Deno.PointerObject,
  index: number,
  fail: NvmlFailure,
): string | null {
  const major = new Int32Array(1);
  const minor = new Int32Array(1);
  const rc = lib.symbols.nvmlDeviceGetCudaComputeCapability(handle, major, minor);
  if (rc === NVML_SUCCESS) return `${major[0]}.${minor[0]}`;
  fail(index, "nvmlDeviceGetCudaComputeCapability", rc);
  return null;
}
