import type { Logger } from "../log/mod.ts";
import { type GpuProvider, unavailableGpuProvider } from "./gpu_provider.ts";
import { NvmlDevice } from "./nvml_device.ts";
import { NvmlGpuProvider, onceFailureLogger } from "./nvml_gpu_provider.ts";
import { nvmlErrorText, openDevice, readDeviceCount, readDriverVersion } from "./nvml_static.ts";
import { NVML_SUCCESS, NVML_SYMBOLS, type NvmlLibrary } from "./nvml_symbols.ts";

/** Where NVML lives; `library` is a path or a bare soname resolved by the dynamic loader. */
export interface GpuProviderOptions {
  library: string;
  logger: Logger;
}

/**
 * Loads and initialises NVML once. A missing library, a driver problem or a machine without GPUs
 * gives an unavailable provider whose `reason` says why; it never throws.
 */
export function openGpuProvider(options: GpuProviderOptions): GpuProvider {
  const logger = options.logger.child("gpu");
  let lib: NvmlLibrary;
  try {
    lib = Deno.dlopen(options.library, NVML_SYMBOLS);
  } catch (error) {
    return unavailable(logger, `cannot load ${options.library}: ${dlopenMessage(error)}`);
  }
  try {
    return initialise(lib, logger);
  } catch (error) {
    lib.close();
    return unavailable(logger, error instanceof Error ? error.message : String(error));
  }
}

function initialise(lib: NvmlLibrary, logger: Logger): GpuProvider {
  const init = lib.symbols.nvmlInit_v2 ?? lib.symbols.nvmlInit;
  if (!init) throw new Error("the library exports neither nvmlInit_v2 nor nvmlInit");
  const rc = init();
  if (rc !== NVML_SUCCESS) throw new Error(`nvmlInit failed: ${nvmlErrorText(lib, rc)}`);
  try {
    const fail = onceFailureLogger(lib, logger);
    const count = readDeviceCount(lib);
    const devices: NvmlDevice[] = [];
    for (let index = 0; index < count; index++) {
      const opened = openDevice(lib, index, fail);
      if (opened) devices.push(new NvmlDevice(lib, opened.handle, opened.info, fail));
    }
    if (devices.length === 0) {
      throw new Error(
        count === 0 ? "NVML reports no GPU" : `none of the ${count} GPUs could be opened`,
      );
    }
    const driverVersion = readDriverVersion(lib, fail);
    logger.info("GPU telemetry ready", {
      gpus: devices.length,
      driver: driverVersion ?? "unknown",
    });
    return new NvmlGpuProvider(lib, devices, driverVersion, logger);
  } catch (error) {
    lib.symbols.nvmlShutdown();
    throw error;
  }
}

function unavailable(logger: Logger, reason: string): GpuProvider {
  const provider = unavailableGpuProvider(reason);
  logger.info(provider.reason ?? reason);
  return provider;
}

/** Deno repeats "Could not open library: " in its dlopen errors. */
function dlopenMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(Could not open library: )+/, "");
}
