/** What an instance's app is doing now that a stop or restart would end, in words (or null). */
import { appWork, describeAppWork } from "../../lib/shared/app_work.ts";
import type { InstanceDto } from "../../lib/shared/instance_schema.ts";
import type { SystemStats } from "../../lib/shared/stats.ts";

/** "its processes keep 3.4 cores busy; GPU 0 computes at 97 %", by the latest figures; else null. */
export function workInProgress(stats: SystemStats | null, dto: InstanceDto): string | null {
  const work = appWork({ id: dto.id, gpuIds: dto.gpu_ids }, stats);
  return work === null ? null : describeAppWork(work);
}
