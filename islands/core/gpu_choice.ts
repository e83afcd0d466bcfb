/**
 * The three GPU choices of an instance as the inputs hold them: "none" (CPU only: the app
 * gets CUDA_VISIBLE_DEVICES=""), "all" (every GPU) or a sorted index list ("" while the
 * user has chosen "chosen GPUs" but ticked none yet). The same text is sent to the API.
 */
import { NO_GPU, parseGpuIds } from "../../lib/shared/identifiers.ts";

export type GpuMode = "none" | "all" | "chosen";
export const ALL_GPUS = "all";
export { NO_GPU };

/** The choice a value stands for. */
export function gpuModeOf(value: string): GpuMode {
  if (value === NO_GPU) return "none";
  if (value === ALL_GPUS) return "all";
  return "chosen";
}

/** Canonical form: null/"all"/"" from the server → "all"; lists sorted and de-duplicated. */
export function normalizeGpuIds(text: string | null | undefined): string {
  if (text === null || text === undefined) return ALL_GPUS;
  const trimmed = text.trim();
  if (trimmed === ALL_GPUS || trimmed === NO_GPU) return trimmed;
  const parts = [...new Set(trimmed.split(",").map((p) => p.trim()).filter(Boolean))];
  return parts.sort((a, b) => {
    const [x, y] = [Number(a), Number(b)];
    return Number.isNaN(x) || Number.isNaN(y) ? a.localeCompare(b) : x - y;
  }).join(",");
}

/** What the user should fix in a GPU choice, or null; `gpuCount` null = unknown (no NVML). */
export function gpuChoiceProblem(value: string, gpuCount: number | null): string | null {
  const mode = gpuModeOf(value);
  if (mode !== "chosen") return null;
  if (value === "") return "tick at least one GPU, or choose CPU only or All GPUs";
  const parsed = parseGpuIds(value, gpuCount);
  return parsed.ok ? null : parsed.reason;
}

/** Words for a choice (change lists, titles). */
export function describeGpuChoice(value: string): string {
  const mode = gpuModeOf(value);
  if (mode === "none") return "CPU only";
  if (mode === "all") return "all GPUs";
  return value === "" ? "no GPU ticked" : `GPU ${value}`;
}
