/** Telemetry: NVML GPUs, host/container CPU, memory and disk, instance process trees, the stats hub. */
export type { GpuProcess, GpuProvider, GpuSample, GpuStatic } from "./gpu_provider.ts";
export { unavailableGpuProvider } from "./gpu_provider.ts";
export { type GpuProviderOptions, openGpuProvider } from "./open_gpu_provider.ts";
export { type HostSample, HostSampler, type HostSamplerOptions } from "./host_sampler.ts";
export {
  type PidNamespace,
  type ProcessTreeSample,
  ProcessTreeSampler,
  type ProcessTreeSamplerOptions,
} from "./process_tree_sampler.ts";
export {
  attributeGpuMemory,
  type AttributionContext,
  type GpuAttribution,
  type RootVram,
} from "./attribute_gpu_memory.ts";
export {
  buildSystemStats,
  type InstanceRoot,
  type SystemStatsInput,
} from "./build_system_stats.ts";
export { StatsHub, type StatsHubOptions, type StatsListener } from "./stats_hub.ts";
export { DiskSpaceWatch, type DiskSpaceWatchOptions, type FsSpace } from "./disk_space_watch.ts";
export {
  UsageRecorder,
  type UsageRecorderOptions,
  usageSample,
  type UsageStore,
} from "./usage_recorder.ts";
export { GpuWatch, type GpuWatchOptions } from "./gpu_watch.ts";
export {
  DiskSurvey,
  type DiskSurveyOptions,
  type MeasuredTree,
  measureTree,
  parseDuOutput,
} from "./disk_survey.ts";
