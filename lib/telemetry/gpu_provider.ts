/** A process NVML reports on a GPU. `usedMemoryBytes` is null when NVML cannot tell (e.g. MIG). */
export interface GpuProcess {
  pid: number;
  usedMemoryBytes: number | null;
}

/** What does not change while a GPU provider is open. */
export interface GpuStatic {
  index: number;
  name: string;
  uuid: string;
  memoryTotalBytes: number;
  computeCapability: string | null;
}

/** One GPU at one moment. Fields NVML cannot report for this GPU are null. */
export interface GpuSample {
  index: number;
  name: string;
  uuid: string;
  memoryTotalBytes: number;
  memoryUsedBytes: number;
  memoryFreeBytes: number;
  utilizationGpuPercent: number | null;
  utilizationMemoryPercent: number | null;
  temperatureC: number | null;
  powerWatts: number | null;
  computeCapability: string | null;
  /** Compute processes; empty when `processesAvailable` is false. */
  processes: GpuProcess[];
  /** False when the driver cannot list processes (pre-510 driver, or the query failed). */
  processesAvailable: boolean;
}

/** GPU telemetry source. Unavailable providers report why and sample nothing. */
export interface GpuProvider {
  readonly available: boolean;
  /** "no GPU telemetry: <reason>" when unavailable, else null. */
  readonly reason: string | null;
  readonly driverVersion: string | null;
  /** Read once at open. */
  readonly devices: GpuStatic[];
  /**
   * One sample of every GPU. Never blocks the event loop and never throws: a field that fails is
   * null, a GPU whose memory cannot be read is left out; each distinct failure is logged once.
   * Overlapping calls share one sample.
   */
  sample(): Promise<GpuSample[]>;
  /** Shuts NVML down once any sample in flight has finished. */
  close(): void;
}

/** A provider for machines without usable NVML. */
export function unavailableGpuProvider(reason: string): GpuProvider {
  return {
    available: false,
    reason: `no GPU telemetry: ${reason}`,
    driverVersion: null,
    devices: [],
    sample: () => Promise.resolve([]),
    close: () => {},
  };
}
