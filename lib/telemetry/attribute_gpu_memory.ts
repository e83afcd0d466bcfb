import type { GpuSample } from "./gpu_provider.ts";
import type { PidNamespace, ProcessTreeSample } from "./process_tree_sampler.ts";

/** VRAM of one process tree. `unknown` is set when NVML could not size one of its processes. */
export interface RootVram {
  perGpu: Record<number, number>;
  totalBytes: number;
  unknown: boolean;
}

/** Per-root VRAM, or why it cannot be attributed. */
export interface GpuAttribution {
  byRoot: Map<number, RootVram>;
  attribution: "ok" | "unavailable";
  reason: string | null;
}

/** What the process sampler knows about this /proc, to tell whether NVML's pids are ours. */
export interface AttributionContext {
  /** Every pid in this /proc at sampling time. */
  livePids?: ReadonlySet<number>;
  pidNamespace?: PidNamespace;
}

/**
 * Maps NVML process pids onto process trees. NVML reports pids of the host's PID namespace;
 * inside a container with its own namespace they cannot be mapped (they are absent from our /proc
 * or, worse, name unrelated processes), so attribution is then refused rather than wrong.
 */
export function attributeGpuMemory(
  trees: Map<number, ProcessTreeSample>,
  gpus: GpuSample[],
  context: AttributionContext = {},
): GpuAttribution {
  const refuse = (reason: string): GpuAttribution => ({
    byRoot: new Map(),
    attribution: "unavailable",
    reason,
  });
  if (gpus.length === 0) return refuse("no GPU telemetry");
  const blind = gpus.find((gpu) => !gpu.processesAvailable);
  if (blind) {
    return refuse(
      `NVML cannot list the processes on GPU ${blind.index} (driver 510 or newer is needed)`,
    );
  }
  if (context.pidNamespace === "nested") {
    return refuse(
      "AiKore runs in its own PID namespace (a container without `pid: host`): NVML reports host PIDs, which cannot be matched to instance processes",
    );
  }
  const live = context.livePids;
  const stranger = live && gpus.flatMap((gpu) => gpu.processes).find((p) => !live.has(p.pid));
  if (stranger) {
    return refuse(
      `NVML reports PID ${stranger.pid}, which this /proc does not show: NVML and AiKore see different PID namespaces`,
    );
  }

  const rootOf = new Map<number, number>();
  for (const [root, tree] of trees) for (const pid of tree.pids) rootOf.set(pid, root);
  const byRoot = new Map<number, RootVram>();
  for (const root of trees.keys()) byRoot.set(root, { perGpu: {}, totalBytes: 0, unknown: false });
  for (const gpu of gpus) {
    for (const process of gpu.processes) {
      const root = rootOf.get(process.pid);
      const entry = root === undefined ? undefined : byRoot.get(root);
      if (!entry) continue;
      if (process.usedMemoryBytes === null) {
        entry.unknown = true;
        continue;
      }
      entry.perGpu[gpu.index] = (entry.perGpu[gpu.index] ?? 0) + process.usedMemoryBytes;
      entry.totalBytes += process.usedMemoryBytes;
    }
  }
  return { byRoot, attribution: "ok", reason: null };
}
